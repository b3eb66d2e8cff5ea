import { api, ApiFailure } from '../api.ts';
import { usePager } from '../pager.tsx';
import { usePolled } from '../poll.ts';

interface Agreement {
  id: string;
  direction: 'export' | 'import';
  localOrg: string;
  partner: string;
  resources: string[];
  decimals: number | null;
  pseudonymise: boolean;
  keepSignatures: boolean;
  aggregate: { windowSeconds: number; statistic: string } | null;
  validUntil: number;
  endpoint: string | null;
  status: 'active' | 'revoked';
  exporter: { pushed: number; lastError: string | null } | null;
}

/** Plain words for what an agreement lets the partner see. */
function shares(a: Agreement): string[] {
  const out = [
    a.aggregate
      ? `one ${a.aggregate.statistic} per device and resource every ${a.aggregate.windowSeconds} s, never single readings`
      : 'every reading',
    a.pseudonymise ? 'device names pseudonymised' : 'device names kept',
    a.keepSignatures ? "devices' signatures kept (the partner can verify them)" : 'signatures stripped',
  ];
  if (a.decimals !== null) out.push(`values rounded to ${a.decimals} decimal${a.decimals === 1 ? '' : 's'}`);
  return out;
}

/** An agreement's partner endpoint as a link: only http(s) URLs (the hub validates the same). */
function Endpoint({ url }: { url: string | null }) {
  if (!url) return <span class="muted">— (the partner pushes to us)</span>;
  return /^https?:\/\//.test(url) ? (
    <a href={url} rel="noopener noreferrer" target="_blank">
      {url}
    </a>
  ) : (
    <span>{url}</span>
  );
}

/** Federation links to the other city and what each agreement shares. */
export function FederationPanel() {
  const { data, error } = usePolled(
    () =>
      api<{ items: Agreement[] }>('GET', '/federation/agreements').catch((err: unknown) => {
        // Reading agreements is for an organisation's staff: others get a plain sentence, not an error.
        if (err instanceof ApiFailure && err.error.status === 403) return { items: [], forbidden: true };
        throw err;
      }),
    10_000,
  );
  const forbidden = Boolean(data && 'forbidden' in data);
  const items = data?.items ?? [];
  const { shown, controls } = usePager(items, 10);
  return (
    <section class="card" aria-labelledby="federation-title" data-testid="federation">
      <h2 id="federation-title">Federation</h2>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {forbidden && (
        <p class="muted" data-testid="federation-forbidden">
          Your roles do not show the sharing agreements with other cities.
        </p>
      )}
      {data && !forbidden && items.length === 0 && (
        <p class="muted" data-testid="federation-empty">
          No sharing agreement with another city that you may see.
        </p>
      )}
      {items.length > 0 && (
        <div class="scroll-x">
          <table>
            <thead>
              <tr>
                <th>Agreement</th>
                <th>Link</th>
                <th>Resources</th>
                <th>What is shared</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((a) => (
                <tr data-testid="agreement-row">
                  <td>
                    <code>{a.id}</code>
                    <div class="muted small">valid until {new Date(a.validUntil).toLocaleDateString()}</div>
                  </td>
                  <td>
                    {a.direction === 'export' ? `${a.localOrg} → ${a.partner}` : `${a.partner} → ${a.localOrg}`}
                    <div class="small">
                      <Endpoint url={a.endpoint} />
                    </div>
                  </td>
                  <td>
                    {a.resources.map((r) => (
                      <div>
                        <code>{r}</code>
                      </div>
                    ))}
                  </td>
                  <td>
                    <ul class="plain">
                      {shares(a).map((s) => (
                        <li>{s}</li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <span class={a.status === 'active' ? 'ok' : 'muted'}>{a.status}</span>
                    {a.exporter && (
                      <div class="small">
                        {a.exporter.pushed} pushed
                        {a.exporter.lastError && <div class="error">{a.exporter.lastError}</div>}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {controls}
    </section>
  );
}
