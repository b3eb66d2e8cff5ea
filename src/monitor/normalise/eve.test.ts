import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeWithTestdata } from '../../../test/helpers/testdata.ts';
import { normaliseLine } from './line.ts';
import { parseTimestamp } from './time.ts';

const NOW = Date.UTC(2026, 11, 1);
const meta = { org: 'santander', observer: 'gw-1', now: NOW };

interface IndexEntry {
  file: string;
  format?: string;
  event_types?: Record<string, number>;
}

/** Every EVE record of a sample file as one line (pretty-printed files hold one record). */
function recordsOf(dir: string, e: IndexEntry): string[] {
  const text = readFileSync(join(dir, e.file), 'utf8');
  if (e.format?.startsWith('NDJSON')) return text.split('\n').filter((l) => l.trim() !== '');
  return [JSON.stringify(JSON.parse(text))];
}

describeWithTestdata('eve-samples', 'EVE normalisation on every shared sample record', (dir) => {
  // Some samples were generated recently (stats records carry the run's time): judge against the real clock.
  const meta = { org: 'santander', observer: 'gw-1', now: Date.now() };
  let entries: IndexEntry[];
  beforeAll(() => {
    entries = (JSON.parse(readFileSync(join(dir, 'INDEX.json'), 'utf8')) as IndexEntry[]).filter(
      (e) => e.format !== undefined && e.event_types,
    );
  });

  it('normalises every record of every EVE file in INDEX.json, with the counts INDEX.json gives', () => {
    expect(entries.length).toBeGreaterThanOrEqual(15);
    const seenTypes = new Set<string>();
    for (const e of entries) {
      const counts: Record<string, number> = {};
      for (const line of recordsOf(dir, e)) {
        const r = normaliseLine('eve', line, meta);
        if (!r.ok) throw new Error(`${e.file}: ${r.reject.code} ${r.reject.message}`);
        const rec = JSON.parse(line) as Record<string, unknown>;
        const ev = r.event;
        // The original record is kept whole, under suricata.eve and as the raw line.
        expect((ev.doc.suricata as { eve: unknown }).eve).toEqual(rec);
        expect(ev.raw).toBe(line);
        expect(ev.logsource).toEqual({ product: 'suricata', service: rec.event_type });
        expect(ev.timeMs).toBe(parseTimestamp(String(rec.timestamp)));
        expect(ev.doc['@timestamp']).toBe(new Date(ev.timeMs).toISOString());
        expect((ev.doc.organization as { id: string }).id).toBe('santander');
        if (rec.src_ip) expect((ev.doc.source as { ip: string }).ip).toBe(rec.src_ip);
        if (rec.dest_ip) expect((ev.doc.destination as { ip: string }).ip).toBe(rec.dest_ip);
        if (typeof rec.dest_port === 'number')
          expect((ev.doc.destination as { port: number }).port).toBe(rec.dest_port);
        if (rec.proto)
          expect((ev.doc.network as { transport: string }).transport).toBe(String(rec.proto).toLowerCase());
        if (rec.event_type === 'alert') {
          const alert = rec.alert as Record<string, unknown>;
          expect(ev.doc.event).toMatchObject({ kind: 'alert', severity: alert.severity });
          expect(ev.doc.rule).toMatchObject({ id: String(alert.signature_id), name: alert.signature });
          expect(ev.columns.signature_id).toBe(alert.signature_id);
        }
        if (rec.flow_id !== undefined) expect(ev.columns.flow_id).toBe(String(rec.flow_id));
        counts[String(rec.event_type)] = (counts[String(rec.event_type)] ?? 0) + 1;
        seenTypes.add(String(rec.event_type));
      }
      expect(counts, e.file).toEqual(e.event_types);
    }
    // The samples span IDS, ICS and IoT protocols.
    for (const t of [
      'alert',
      'flow',
      'dns',
      'http',
      'tls',
      'fileinfo',
      'anomaly',
      'stats',
      'mqtt',
      'modbus',
      'dnp3',
      'drop',
      'ldap',
      'pgsql',
    ])
      expect(seenTypes).toContain(t);
  });

  it('carries alert.metadata through to the document', () => {
    const e = entries.find((x) => x.file.endsWith('docs-examples.jsonl'))!;
    const withMeta = recordsOf(dir, e)
      .map((l) => JSON.parse(l) as { alert?: { metadata?: unknown } })
      .filter((r) => r.alert?.metadata);
    expect(withMeta.length).toBeGreaterThan(0);
    for (const rec of withMeta) {
      const r = normaliseLine('eve', JSON.stringify(rec), meta);
      expect(r.ok && (r.event.doc.suricata as { eve: { alert: { metadata: unknown } } }).eve.alert.metadata).toEqual(
        rec.alert!.metadata,
      );
    }
  });
});

describe('EVE normalisation of bad input', () => {
  const good = JSON.stringify({
    timestamp: '2026-11-30T10:00:00.123456+0100',
    event_type: 'flow',
    src_ip: '10.0.0.1',
    dest_ip: '10.0.0.2',
    proto: 'TCP',
  });

  it('parses Suricata timestamps with offsets', () => {
    expect(parseTimestamp('2016-04-26T11:59:14.316458+0200')).toBe(Date.UTC(2016, 3, 26, 9, 59, 14, 316));
    expect(parseTimestamp('2016-04-26T11:59:14Z')).toBe(Date.UTC(2016, 3, 26, 11, 59, 14));
    expect(parseTimestamp('2016-04-26T11:59:14.1-05:30')).toBe(Date.UTC(2016, 3, 26, 17, 29, 14, 100));
    expect(parseTimestamp('yesterday')).toBeUndefined();
    expect(parseTimestamp('2016-13-26T11:59:14Z')).toBeUndefined();
  });

  it('refuses each kind of bad line with its own code', () => {
    const code = (line: string) => {
      const r = normaliseLine('eve', line, meta);
      return r.ok ? 'ok' : r.reject.code;
    };
    expect(code(good)).toBe('ok');
    expect(code(good.slice(0, 40))).toBe('MONITOR_EVENT_INVALID');
    expect(code('not json')).toBe('MONITOR_EVENT_INVALID');
    expect(code('[1,2]')).toBe('MONITOR_EVENT_INVALID');
    expect(code(good.replace('"flow"', '"teleport"'))).toBe('MONITOR_EVENT_TYPE_UNKNOWN');
    expect(code(good.replace('2026-11-30', '2027-11-30'))).toBe('MONITOR_EVENT_TIME_INVALID');
    expect(code(good.replace('2026-11-30', '1970-01-01'))).toBe('MONITOR_EVENT_TIME_INVALID');
    expect(code(JSON.stringify({ event_type: 'flow' }))).toBe('MONITOR_EVENT_TIME_INVALID');
    expect(code(`{"timestamp":"2026-11-30T10:00:00Z","event_type":"flow","pad":"${'x'.repeat(1024 * 1024)}"}`)).toBe(
      'MONITOR_EVENT_TOO_LARGE',
    );
  });

  it('never throws, and accepts exactly the JSON objects with a known type and a plausible time (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.json(), fc.constantFrom(good, good.slice(0, 20), `${good}x`)),
        fc.constantFrom('eve', 'json', 'auth', 'syslog', 'bogus'),
        (line, type) => {
          const r = normaliseLine(type, line, meta);
          if (r.ok) {
            expect(r.event.raw).toBe(line);
            expect(r.event.timeMs).toBeLessThanOrEqual(NOW + 15 * 60_000);
            expect(Number.isFinite(r.event.timeMs)).toBe(true);
            if (type === 'eve') expect(r.event.logsource.product).toBe('suricata');
          } else {
            expect(r.reject.code).toMatch(/^MONITOR_EVENT_/);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
