/** What the anonymizer removed, per class (faces and plates blurred counted as `face` and `plate`). */
export function Removed({ totals, testid }: { totals: Record<string, number>; testid: string }) {
  const rows = Object.entries(totals).sort((a, b) => b[1] - a[1]);
  if (rows.length === 0) return <p data-testid={testid}>Nothing found to remove.</p>;
  return (
    <table class="small removed" data-testid={testid}>
      <caption class="muted">Removed, per class</caption>
      <thead>
        <tr>
          <th scope="col">Class</th>
          <th scope="col" class="num">
            Objects
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([k, n]) => (
          <tr key={k} data-testid="removed-row" data-class={k}>
            <td>{k}</td>
            <td class="num">{n}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
