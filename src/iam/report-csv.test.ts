import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, toCsv, usageReportCsv } from './report-csv.ts';

/** An RFC 4180 reader written from the grammar (independent of the writer). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  while (i < text.length) {
    const record: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new Error('unterminated quoted field');
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
            } else {
              i++;
              break;
            }
          } else field += text[i++];
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
          if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} in unquoted field`);
          field += text[i++];
        }
      }
      record.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '\r' && text[i + 1] === '\n') {
        i += 2;
        break;
      }
      throw new Error(`expected , or CRLF at ${i}`);
    }
    records.push(record);
  }
  return records;
}

describe('RFC 4180 CSV', () => {
  it('round-trips any text, prefixing cells a spreadsheet would run as formulas', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(
            fc.oneof(
              fc.string({ unit: 'binary', maxLength: 30 }),
              fc.constantFrom('=1+1', '+cmd', '-2', '@SUM(A1)', '\tx', '\rx', 'a,b', '"q"', 'l\nf'),
            ),
            { minLength: 3, maxLength: 3 },
          ),
          { maxLength: 6 },
        ),
        (rows) => {
          const text = toCsv(['a', 'b', 'c'], rows);
          expect(text.endsWith('\r\n')).toBe(true);
          const back = parseCsv(text);
          expect(back[0]).toEqual(['a', 'b', 'c']);
          expect(back.slice(1)).toEqual(rows.map((r) => r.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c))));
          for (const cell of back.slice(1).flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes numbers as numbers and null as an empty field', () => {
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
  });

  it('lays out a report by resource', () => {
    const csv = usageReportCsv({
      by: 'resource',
      from: Date.UTC(2026, 0, 1),
      to: Date.UTC(2026, 0, 1, 1),
      rows: [
        {
          key: '=evil',
          principalName: null,
          org: null,
          requests: 3,
          denials: 1,
          failures: 0,
          bytesIn: 10,
          bytesOut: 20,
          distinct: 2,
        },
      ],
    });
    expect(csv).toBe(
      'from,to,resource,requests,denials,failures,bytes_in,bytes_out,principals\r\n' +
        "2026-01-01T00:00:00.000Z,2026-01-01T01:00:00.000Z,'=evil,3,1,0,10,20,2\r\n",
    );
  });
});
