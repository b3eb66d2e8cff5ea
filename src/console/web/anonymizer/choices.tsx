import { CLASSES, FILLS, type Choices } from './upload.ts';

/** What to remove and how to fill it: the anonymizer's `classes` and `fill` options. */
export function ChoicesForm({ id, value, onChange }: { id: string; value: Choices; onChange: (c: Choices) => void }) {
  const toggle = (c: string, on: boolean) =>
    onChange({ ...value, classes: on ? [...value.classes, c] : value.classes.filter((x) => x !== c) });
  return (
    <div class="row">
      <label>
        Fill{' '}
        <select
          value={value.fill}
          onChange={(e) => onChange({ ...value, fill: (e.target as HTMLSelectElement).value as Choices['fill'] })}
        >
          {FILLS.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
      </label>
      <fieldset class="classes">
        <legend class="small">Remove</legend>
        {CLASSES.map((c) => (
          <label key={c} class="small">
            <input
              type="checkbox"
              id={`${id}-${c}`}
              checked={value.classes.includes(c)}
              onChange={(e) => toggle(c, (e.target as HTMLInputElement).checked)}
            />{' '}
            {c}
          </label>
        ))}
      </fieldset>
    </div>
  );
}
