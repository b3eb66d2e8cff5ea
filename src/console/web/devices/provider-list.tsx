import { useEffect } from 'preact/hooks';
import { api } from '../api.ts';
import { usePager } from '../pager.tsx';
import { usePolled } from '../poll.ts';
import { STATUS_LABEL } from './city-map.tsx';
import {
  displayName,
  formatValue,
  resourcePath,
  type Attestation,
  type Provider,
  type ProviderDetail,
  type ResourceValue,
} from './types.ts';

const PAGE = 12;

/** The last value of every readable non-admin, non-action resource of these providers. */
async function lastValues(providers: Provider[]): Promise<Map<string, ResourceValue[]>> {
  const out = new Map<string, ResourceValue[]>();
  await Promise.all(
    providers.map(async (p) => {
      const d = await api<ProviderDetail>('GET', `/providers/${encodeURIComponent(p.provider)}`).catch(() => undefined);
      const paths = (d?.services ?? [])
        .filter((s) => s.service !== 'admin')
        .flatMap((s) => s.resources.map((resource) => ({ provider: p.provider, service: s.service, resource })));
      const values = await Promise.all(
        paths.map((r) => api<ResourceValue>('GET', resourcePath(r)).catch(() => undefined)),
      );
      out.set(
        p.provider,
        values.filter((v): v is ResourceValue => v !== undefined && v.kind !== 'action'),
      );
    }),
  );
  return out;
}

function signatureOf(values: ResourceValue[]): string {
  if (values.length === 0) return '—';
  if (values.some((v) => v.signature === 'unsigned')) return 'unsigned';
  if (values.every((v) => v.signature === 'verified')) return 'verified';
  return values.some((v) => v.signature === 'verified') ? 'verified (some values never signed)' : 'no reading yet';
}

/** Providers with attestation, last values and signature status; paged, values loaded for the page shown. */
export function ProviderList({
  providers,
  statusOf,
  selected,
  onSelect,
  onValues,
}: {
  providers: Provider[];
  statusOf: (p: Provider) => Attestation;
  selected: string | undefined;
  onSelect: (provider: string) => void;
  /** The values loaded for the page shown (the map falls back to their readings' attestation). */
  onValues?: (values: Map<string, ResourceValue[]>) => void;
}) {
  const { shown, controls } = usePager(providers, PAGE);
  const key = shown.map((p) => p.provider).join(',');
  const values = usePolled(() => lastValues(shown), 5000, [key]);
  useEffect(() => {
    if (values.data) onValues?.(values.data);
  }, [values.data]);
  return (
    <section class="card provider-list" aria-labelledby="providers-title">
      <h2 id="providers-title">Providers ({providers.length})</h2>
      {providers.length === 0 && (
        <p class="muted" data-testid="providers-empty">
          No provider you may see yet. Devices appear here once they publish, or once an organisation shares with you.
        </p>
      )}
      {providers.length > 0 && (
        <div class="scroll-x">
          <table>
            <thead>
              <tr>
                <th>Provider</th>
                <th>City</th>
                <th>Attestation</th>
                <th>Last values</th>
                <th>Signature</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((p) => {
                const v = values.data?.get(p.provider);
                const status = statusOf(p);
                return (
                  <tr
                    data-testid="provider-row"
                    data-provider={p.provider}
                    class={selected === p.provider ? 'selected' : ''}
                  >
                    <td>
                      <button
                        type="button"
                        class="link"
                        aria-pressed={selected === p.provider}
                        onClick={() => onSelect(p.provider)}
                      >
                        {displayName(p)}
                      </button>
                      <div class="muted small">{p.provider}</div>
                    </td>
                    <td>{p.org}</td>
                    <td>
                      <span class={`status st-${status}`} data-testid="provider-attestation">
                        {STATUS_LABEL[status]}
                      </span>
                    </td>
                    <td data-testid="provider-values">
                      {v === undefined
                        ? '…'
                        : v.length === 0
                          ? '—'
                          : v.map((r) => (
                              <div>
                                <span class="muted">
                                  {r.service}/{r.resource}
                                </span>{' '}
                                {formatValue(r.value, r.metadata.unit)}
                              </div>
                            ))}
                    </td>
                    <td data-testid="provider-signature">{v === undefined ? '…' : signatureOf(v)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {controls}
    </section>
  );
}
