import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import { ChoicesForm } from './choices.tsx';
import { DropFile } from './drop-file.tsx';
import { Removed } from './removed.tsx';
import { anonymizeImage, CLASSES, type Choices } from './upload.ts';

interface Result {
  before: string;
  after: string;
  removed: Record<string, number>;
  name: string;
  bytes: number;
  type: string;
}

/** An object URL that lives as long as the component shows it. */
function useObjectUrls(): [(b: Blob) => string, () => void] {
  const [urls] = useState(() => new Set<string>());
  const revoke = () => {
    urls.forEach((u) => URL.revokeObjectURL(u));
    urls.clear();
  };
  useEffect(() => revoke, []);
  return [
    (b: Blob) => {
      const u = URL.createObjectURL(b);
      urls.add(u);
      return u;
    },
    revoke,
  ];
}

/** Upload (choose or drop) one image; the original and the anonymized one side by side, and the report. */
export function ImagePanel() {
  const [choices, setChoices] = useState<Choices>({ fill: 'inpaint', classes: [...CLASSES] });
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const [result, setResult] = useState<Result | undefined>();
  const [url, revokeAll] = useObjectUrls();

  const run = async (file: File) => {
    setError('');
    setBusy(`Anonymizing ${file.name}…`);
    try {
      const out = await anonymizeImage(file, choices);
      revokeAll();
      setResult({
        before: url(file),
        after: url(out.image),
        removed: out.removed,
        name: file.name,
        bytes: out.image.size,
        type: out.image.type,
      });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy('');
    }
  };

  return (
    <section class="card anon-section" aria-labelledby="image-title">
      <h2 id="image-title">Image</h2>
      <ChoicesForm id="image-opt" value={choices} onChange={setChoices} />
      <DropFile
        id="image-file"
        label="Image to anonymize"
        accept="image/jpeg,image/png,image/webp"
        hint="JPEG, PNG or WebP up to 25 MB: choose a file or drop it here. It is sent to this platform only."
        onFile={(f) => void run(f)}
      />
      {busy && (
        <p role="status" data-testid="image-busy">
          {busy}
        </p>
      )}
      {error && (
        <p role="alert" class="error" data-testid="image-error">
          {error}
        </p>
      )}
      {result && (
        <>
          <div class="before-after" data-testid="before-after">
            <figure>
              <img src={result.before} alt={`Original: ${result.name}`} data-testid="image-before" />
              <figcaption>Before</figcaption>
            </figure>
            <figure>
              <img
                src={result.after}
                alt={`Anonymized: ${result.name}`}
                data-testid="image-after"
                data-type={result.type}
              />
              <figcaption>
                After ·{' '}
                <a href={result.after} download={`anonymized-${result.name}`}>
                  Download
                </a>{' '}
                <span class="muted small">({Math.round(result.bytes / 1024)} KiB)</span>
              </figcaption>
            </figure>
          </div>
          <Removed totals={result.removed} testid="image-report" />
        </>
      )}
    </section>
  );
}
