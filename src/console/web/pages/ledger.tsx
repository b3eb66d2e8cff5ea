import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { verifyBundle, type Verdict } from '../ledger-verify.ts';
import { usePolled } from '../poll.ts';
import { AnchorStatus } from './anchor-status.tsx';
import { VaultPanel } from './vault-records.tsx';

interface Checkpoint {
  origin: string;
  size: number;
  rootHash: string;
  note: string;
  anchor?: { chainId: number; txHash: string; blockNumber: number };
}

function parse(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
}

/** The latest signed tree head, and an in-browser verifier that trusts only the pinned key. */
export function LedgerPage() {
  const head = usePolled(() => api<Checkpoint>('GET', '/ledger/checkpoint'), 10_000);
  const [key, setKey] = useState('');
  const [entry, setEntry] = useState('');
  const [proof, setProof] = useState('');
  const [checkpoint, setCheckpoint] = useState('');
  const [verdict, setVerdict] = useState<Verdict | undefined>();

  useEffect(() => {
    void api<{ publicKeyPem: string }>('GET', '/ledger/public-key').then(
      (k) => setKey((cur) => cur || k.publicKeyPem),
      () => undefined,
    );
  }, []);

  const verify = async (e: Event) => {
    e.preventDefault();
    try {
      setVerdict(
        await verifyBundle(
          parse(entry, 'entry'),
          parse(proof, 'proof'),
          checkpoint.trim().startsWith('{') ? parse(checkpoint, 'checkpoint') : checkpoint,
          key,
        ),
      );
    } catch (err) {
      setVerdict({ ok: false, reason: err instanceof Error ? err.message : errorText(err) });
    }
  };

  const field = (id: string, label: string, value: string, set: (v: string) => void, rows = 5) => (
    <>
      <label for={id}>{label}</label>
      <textarea id={id} rows={rows} spellcheck={false} value={value} onInput={(e) => set(e.currentTarget.value)} />
    </>
  );

  return (
    <>
      <h1>Trusted storage</h1>
      <section class="card" aria-labelledby="sth-title">
        <h2 id="sth-title">Latest signed tree head</h2>
        {head.error && (
          <p role="alert" class="error">
            {head.error}
          </p>
        )}
        {head.data && (
          <dl class="kv">
            <dt>Origin</dt>
            <dd>{head.data.origin}</dd>
            <dt>Tree size</dt>
            <dd data-testid="sth-size">{head.data.size}</dd>
            <dt>Root hash</dt>
            <dd>
              <code>{head.data.rootHash}</code>
            </dd>
            <dt>Anchor</dt>
            <dd>
              {head.data.anchor
                ? `chain ${head.data.anchor.chainId}, block ${head.data.anchor.blockNumber}, tx ${head.data.anchor.txHash}`
                : 'not anchored on chain'}
            </dd>
          </dl>
        )}
        <h3>Anchor status</h3>
        <AnchorStatus treeSize={head.data?.size} />
      </section>
      <form class="card verify" aria-labelledby="verify-title" onSubmit={(e) => void verify(e)}>
        <h2 id="verify-title">Verify an entry in your browser</h2>
        <p class="muted">Checked here with WebCrypto against the key below (pin it: the server is not trusted).</p>
        {field('entry', 'Entry (entry.json)', entry, setEntry, 4)}
        {field('proof', 'Inclusion proof (proof.json)', proof, setProof)}
        {field('checkpoint', 'Checkpoint (checkpoint.json or the signed note)', checkpoint, setCheckpoint)}
        {field('key', 'Log public key (PEM)', key, setKey, 4)}
        <button type="submit">Verify</button>
        {verdict && (
          <p role="status" data-testid="verdict" class={verdict.ok ? 'ok' : 'error'}>
            {verdict.ok
              ? `Verified: entry ${verdict.index} is in ${verdict.origin} at tree size ${verdict.size}.`
              : `Refused: ${verdict.reason}`}
          </p>
        )}
      </form>
      <VaultPanel />
    </>
  );
}
