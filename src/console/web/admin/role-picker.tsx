import { ROLES } from './types.ts';

/** Role checkboxes in a labelled fieldset (keyboard and screen-reader friendly). */
export function RolePicker({
  id,
  value,
  onChange,
}: {
  id: string;
  value: string[];
  onChange: (roles: string[]) => void;
}) {
  return (
    <fieldset class="roles" id={id}>
      <legend>Roles</legend>
      {ROLES.map((r) => (
        <label>
          <input
            type="checkbox"
            checked={value.includes(r)}
            onChange={(e) => onChange(e.currentTarget.checked ? [...value, r] : value.filter((x) => x !== r))}
          />{' '}
          {r}
        </label>
      ))}
    </fieldset>
  );
}
