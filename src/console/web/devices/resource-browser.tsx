import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, errorText } from '../api.ts';
import { usePolled } from '../poll.ts';
import { HistoryChart } from './history-chart.tsx';
import {
  formatValue,
  resourcePath,
  type ProviderDetail,
  type ResourceDescription,
  type ResourceValue,
} from './types.ts';

type Path = { provider: string; service: string; resource: string };

/** SET takes a number, boolean or string: typed input is read as JSON when it parses as one of those. */
function parseSetValue(text: string): number | boolean | string {
  const t = text.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  return text;
}

function parseArguments(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('arguments must be a JSON object');
  return v as Record<string, unknown>;
}

function Describe({ d }: { d: ResourceDescription }) {
  const meta = Object.entries(d.metadata);
  return (
    <dl class="kv" data-testid="describe">
      <dt>Kind</dt>
      <dd>{d.kind}</dd>
      {meta.map(([k, v]) => (
        <>
          <dt>{k}</dt>
          <dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
        </>
      ))}
      {meta.length === 0 && (
        <>
          <dt>Metadata</dt>
          <dd class="muted">none declared</dd>
        </>
      )}
    </dl>
  );
}

function ValueView({ v }: { v: ResourceValue }) {
  return (
    <dl class="kv" data-testid="get-result">
      <dt>Value</dt>
      <dd data-testid="get-value">{formatValue(v.value, v.metadata.unit)}</dd>
      <dt>Device time</dt>
      <dd>{v.timestamp === null ? '—' : new Date(v.timestamp).toLocaleString()}</dd>
      <dt>Received</dt>
      <dd>{v.receivedAt === null ? '—' : new Date(v.receivedAt).toLocaleString()}</dd>
      <dt>Signature</dt>
      <dd data-testid="get-signature">{v.signature ?? '—'}</dd>
      <dt>Attestation</dt>
      <dd>{v.attestation ?? '—'}</dd>
    </dl>
  );
}

/** One resource: DESCRIBE, GET, SET (properties), ACT (actions) and, for values, its history chart. */
function ResourcePanel({ path }: { path: Path }) {
  const [described, setDescribed] = useState<ResourceDescription | undefined>();
  const [value, setValue] = useState<ResourceValue | undefined>();
  const [input, setInput] = useState('');
  const [args, setArgs] = useState('');
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const base = resourcePath(path);

  const run = async (what: () => Promise<void>) => {
    setError('');
    setMessage('');
    try {
      await what();
    } catch (err) {
      setError(err instanceof ApiFailure || !(err instanceof Error) ? errorText(err) : err.message);
    }
  };
  const describe = () =>
    run(async () => {
      const { items } = await api<{ items: ResourceDescription[] }>(
        'GET',
        `/providers/${encodeURIComponent(path.provider)}/services/${encodeURIComponent(path.service)}/resources`,
      );
      setDescribed(items.find((r) => r.resource === path.resource));
    });
  const get = () => run(async () => setValue(await api<ResourceValue>('GET', base)));
  useEffect(() => {
    setValue(undefined);
    setDescribed(undefined);
    setMessage('');
    setError('');
    void describe();
  }, [base]);

  const kind = described?.kind ?? value?.kind;
  return (
    <section class="card resource" aria-labelledby="resource-title" data-testid="resource-panel">
      <h3 id="resource-title">
        {path.service}/{path.resource}
      </h3>
      <div class="row">
        <button type="button" onClick={() => void describe()}>
          DESCRIBE
        </button>
        <button type="button" onClick={() => void get()}>
          GET
        </button>
      </div>
      {described && <Describe d={described} />}
      {value && <ValueView v={value} />}
      {kind === 'property' && (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              setValue(await api<ResourceValue>('PUT', base, { value: parseSetValue(input) }));
              setMessage('SET done');
            });
          }}
        >
          <label for="set-value">New value</label>
          <input
            id="set-value"
            required
            maxLength={1024}
            value={input}
            onInput={(e) => setInput(e.currentTarget.value)}
          />
          <button type="submit">SET</button>
        </form>
      )}
      {kind === 'action' && (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const r = await api<{ status: string; deviceId: string }>('POST', `${base}/ACT`, {
                arguments: parseArguments(args),
              });
              setMessage(`ACT ${r.status} to device ${r.deviceId}`);
            });
          }}
        >
          <label for="act-args">Arguments (JSON object, optional)</label>
          <input id="act-args" maxLength={2000} value={args} onInput={(e) => setArgs(e.currentTarget.value)} />
          <button type="submit">ACT</button>
        </form>
      )}
      <p role="status" class="muted" data-testid="resource-message">
        {message}
      </p>
      {error && (
        <p role="alert" class="error" data-testid="resource-error">
          {error}
        </p>
      )}
      {described && kind !== 'action' && <HistoryChart resource={described} />}
    </section>
  );
}

/** provider → service → resource tree of one provider, and the selected resource's panel. */
export function ResourceBrowser({ provider, initial }: { provider: string; initial?: Path | undefined }) {
  const detail = usePolled(() => api<ProviderDetail>('GET', `/providers/${encodeURIComponent(provider)}`), 30_000, [
    provider,
  ]);
  const [path, setPath] = useState<Path | undefined>(initial);
  useEffect(() => setPath(initial), [provider, initial?.service, initial?.resource]);
  return (
    <section class="browser" aria-labelledby="browser-title" data-testid="resource-browser">
      <div class="card tree">
        <h2 id="browser-title">{detail.data?.admin.friendlyName ?? provider}</h2>
        <p class="muted small">
          {provider} · {detail.data?.org ?? ''}
          {detail.data?.origin ? ` · shared from ${detail.data.origin}` : ''}
        </p>
        {detail.error && (
          <p role="alert" class="error">
            {detail.error}
          </p>
        )}
        <ul aria-label="Services">
          {detail.data?.services.map((s) => (
            <li>
              <span class="svc">{s.service}</span>
              <ul aria-label={`Resources of ${s.service}`}>
                {s.resources.map((r) => {
                  const current = path?.service === s.service && path.resource === r;
                  return (
                    <li>
                      <button
                        type="button"
                        class="link"
                        aria-pressed={current}
                        data-testid="resource-link"
                        onClick={() => setPath({ provider, service: s.service, resource: r })}
                      >
                        {r}
                      </button>
                    </li>
                  );
                })}
              </ul>
            </li>
          ))}
        </ul>
      </div>
      {path ? <ResourcePanel path={path} /> : <p class="muted">Choose a resource to DESCRIBE, GET, SET or ACT.</p>}
    </section>
  );
}
