import { useState } from 'preact/hooks';

/**
 * A file input that also takes a dropped file. The input itself stays the keyboard and screen
 * reader path (a real <input type=file> with its label); the zone around it only adds dropping.
 */
export function DropFile({
  id,
  label,
  accept,
  hint,
  onFile,
}: {
  id: string;
  label: string;
  accept: string;
  hint: string;
  onFile: (f: File) => void;
}) {
  const [over, setOver] = useState(false);
  const take = (files: FileList | null | undefined) => {
    const f = files?.[0];
    if (f) onFile(f);
  };
  return (
    <div
      class={`drop ${over ? 'drop-over' : ''}`}
      data-testid={`${id}-drop`}
      onDragOver={(e) => (e.preventDefault(), setOver(true))}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        take(e.dataTransfer?.files);
      }}
    >
      <label for={id}>{label}</label>
      <input
        id={id}
        type="file"
        accept={accept}
        aria-describedby={`${id}-hint`}
        onChange={(e) => take((e.target as HTMLInputElement).files)}
      />
      <p id={`${id}-hint`} class="muted small">
        {hint}
      </p>
    </div>
  );
}
