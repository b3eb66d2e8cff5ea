import type { UsageReport } from './usage.ts';

/**
 * A spreadsheet must not run a cell as a formula: text starting with `=`, `+`, `-`, `@`, TAB or
 * CR gets a leading `'` (OWASP CSV injection). Numbers are written as numbers.
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** RFC 4180 field: quoted when it holds `,`, `"`, CR or LF, quotes doubled. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const v = neutraliseFormula(value);
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** RFC 4180: a header line, CRLF line ends (the last line ends too). */
export function toCsv(header: string[], rows: Array<Array<string | number | null>>): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

export function usageReportCsv(r: UsageReport): string {
  const isoFrom = new Date(r.from).toISOString();
  const isoTo = new Date(r.to).toISOString();
  if (r.by === 'principal')
    return toCsv(
      [
        'from',
        'to',
        'principal_id',
        'principal_name',
        'org',
        'requests',
        'denials',
        'failures',
        'bytes_in',
        'bytes_out',
        'resources',
      ],
      r.rows.map((x) => [
        isoFrom,
        isoTo,
        x.key,
        x.principalName,
        x.org,
        x.requests,
        x.denials,
        x.failures,
        x.bytesIn,
        x.bytesOut,
        x.distinct,
      ]),
    );
  return toCsv(
    ['from', 'to', 'resource', 'requests', 'denials', 'failures', 'bytes_in', 'bytes_out', 'principals'],
    r.rows.map((x) => [isoFrom, isoTo, x.key, x.requests, x.denials, x.failures, x.bytesIn, x.bytesOut, x.distinct]),
  );
}
