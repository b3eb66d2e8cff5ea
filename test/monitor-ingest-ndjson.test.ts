/**
 * The NDJSON form of POST /monitor/ingest (docs/monitor.md section 1.1) on the real monitor: the
 * agent's own records take the fast path, other layouts and the old `line` form are parsed, a bad
 * record line is refused on its own (by id, else by line number) and never blocks its neighbours;
 * idempotency, gzip, size limits, 503 shedding and auth are those of the JSON form.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_QUEUED_BATCHES } from '../src/monitor/api/ingest-routes.ts';
import { MONITOR } from '../src/monitor/index.ts';
import { docBlock, readDoc } from './helpers/doc-blocks.ts';
import { eveLine, startMonitorPlatform, type MonitorPlatform } from './helpers/monitor.ts';

const BASE = Date.now() - 3_600_000;
const AGENT_LINE = JSON.stringify({ agent: { name: 'gw-santander-1', version: '0.1.0', org: 'santander' } });
const FILE = '/var/log/suricata/eve.json';

/** A flow to a port each test owns, so a test counts only its own stored events. */
const flow = (port: number, i: number) =>
  eveLine({
    timeMs: BASE + i,
    event_type: 'flow',
    flow_id: port * 100_000 + i,
    src_ip: '10.9.0.1',
    dest_ip: '10.9.0.2',
    dest_port: port,
    proto: 'TCP',
  });
const oneLine = (s: string) => s.replace(/\n/g, ' ');
/** A record exactly as the agent writes it: the eve line raw, `event` last. */
const agentRecord = (id: string, line: string) =>
  `{"id":"${id}","type":"eve","file":${JSON.stringify(FILE)},"event":${line}}`;

describe('monitor ingest, NDJSON form', () => {
  let m: MonitorPlatform;
  beforeAll(async () => {
    m = await startMonitorPlatform();
  });
  afterAll(async () => {
    await m.close();
  });

  const post = (payload: string | Buffer, headers: Record<string, string> = {}, token = m.gatewayKey) =>
    m.t.platform.app.inject({
      method: 'POST',
      url: '/api/v1/monitor/ingest',
      payload,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson', ...headers },
    });
  const body = (records: string[]) => [AGENT_LINE, ...records].join('\n') + '\n';
  const stored = async (port: number) => {
    const r = await m.t.request('GET', `/api/v1/monitor/events?port=${port}&limit=200`, { token: m.santanderOp });
    expect(r.statusCode).toBe(200);
    return (r.json().items as Array<{ doc: { suricata: { eve: { flow_id: number } } } }>)
      .map((e) => e.doc.suricata.eve.flow_id % 100_000)
      .sort((a, b) => a - b);
  };

  it('stores good records of every layout, refuses each bad record line on its own, and nothing twice on replay', async () => {
    const P = 7101;
    const id = (i: number) => `gw-santander-1:1:2:${P}${i}`;
    const records = [
      agentRecord(id(0), flow(P, 0)), // 0: the agent's fast path
      `{"id":"${id(1)}","type":"eve","line":${JSON.stringify(flow(P, 1))},"file":"${FILE}"}`, // 1: old spooled form
      `{"event":${flow(P, 2)},"type":"eve","id":"${id(2)}"}`, // 2: another member order
      `{"id":"${id(3)}","type":"eve","event":${flow(P, 3)},"file":"${FILE}"}`, // 3: members after event
      `{"id":"${id(4)}","type":"eve","event":{"timestamp":`, // 4: not JSON, id recoverable
      `not a record at all`, // 5: not JSON, no id
      `{"type":"eve","event":${flow(P, 6)}}`, // 6: no id
      `{"id":"${id(7)}","type":"eve","event":{"event_type":"flow",}}`, // 7: event not JSON
      '', // blank: skipped, not a record
      `{"id":"bad id","type":"eve","event":${flow(P, 8)}}`, // 8: bad id
      `{"id":"${id(9)}","type":"eve","event":${flow(P, 9)},"line":"x"}`, // 9: both event and line
      `{ "id" : "${id(10)}", "type" : "json", "event" : ${flow(P, 10)} }`, // 10: spaced, type json
      agentRecord(id(11), flow(P, 11)), // 11
      agentRecord(id(11), flow(P, 11)), // 12: the same id again: a duplicate
    ];
    const res = await post(body(records));
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.rejected.map((x: { index: number; id: string; line: number }) => [x.index, x.id, x.line])).toEqual([
      [4, id(4), 6],
      [5, '', 7],
      [6, '', 8],
      [7, id(7), 9],
      [8, 'bad id', 11],
      [9, id(9), 12],
    ]);
    for (const x of r.rejected) expect(x.code).toBe('MONITOR_EVENT_INVALID');
    expect(r.rejected.find((x: { index: number }) => x.index === 4).message).toBe('record is not valid JSON');
    expect(r.rejected.find((x: { index: number }) => x.index === 9).message).toBe('record has both event and line');
    expect(r).toMatchObject({ accepted: 6, duplicates: 1 });
    expect(await stored(P)).toEqual([0, 1, 2, 3, 10, 11]);

    const again = (await post(body(records))).json();
    expect(again).toMatchObject({ accepted: 0, duplicates: 7 });
    expect(again.rejected).toHaveLength(6);
    expect(await stored(P)).toEqual([0, 1, 2, 3, 10, 11]);
  });

  it('takes gzip and CRLF lines, refuses 5001 records (413), a missing agent line (400), wrong credentials and orgs', async () => {
    const P = 7103;
    const gz = await post(gzipSync(body([agentRecord(`gw-santander-1:1:2:${P}`, flow(P, 0))]).replace(/\n/g, '\r\n')), {
      'content-encoding': 'gzip',
    });
    expect(gz.json()).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    const many = Array.from({ length: 5001 }, (_, i) => `{"id":"big:${i}","type":"eve","event":{}}`);
    const big = await post(body(many));
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('MONITOR_BATCH_TOO_LARGE');
    const noAgent = await post(agentRecord('x:1', flow(P, 1)) + '\n');
    expect(noAgent.statusCode).toBe(400);
    expect((await post('not json\n')).statusCode).toBe(400);
    expect((await post('')).statusCode).toBe(400);
    expect((await post(JSON.stringify({ agent: { version: '1' } }) + '\n')).statusCode).toBe(400);
    const bad = 'msec_k_AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    expect((await post(body([]), {}, bad)).statusCode).toBe(401);
    const other = JSON.stringify({ agent: { name: 'gw', org: 'fujisawa' } });
    expect((await post(other + '\n' + agentRecord('x:2', flow(P, 2)) + '\n')).statusCode).toBe(403);
    expect(await stored(P)).toEqual([0]);
  });

  it('sheds load with 503 and retry-after before reading an NDJSON batch', async () => {
    const monitor = m.t.platform.ctx.services.get(MONITOR);
    monitor.pipeline.queued = MAX_QUEUED_BATCHES;
    const shed = await post(body([agentRecord('shed:1', flow(7104, 0))]));
    monitor.pipeline.queued = 0;
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('1');
    expect(await stored(7104)).toEqual([]);
  });

  it('answers the worked example of docs/monitor.md section 1.1 as documented, and its replay as duplicates', async () => {
    const doc = readDoc('monitor.md');
    const example = docBlock(doc, 'example-ndjson-batch');
    const reply = JSON.parse(docBlock(doc, 'example-ndjson-reply')) as { rejected: unknown[] };
    const first = await post(example);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual(reply);
    expect((await post(example)).json()).toEqual({ ...reply, accepted: 0, duplicates: 3 });
    const alerts = await m.t.request('GET', '/api/v1/monitor/events?dataset=alert&limit=50', { token: m.santanderOp });
    expect(
      (alerts.json().items as Array<{ id: string }>).filter((e) => e.id === 'gw-santander-1:2049:131075:0'),
    ).toHaveLength(1);
  });

  it('answers 415 to a media type it does not know (what an msec older than NDJSON answers the agent)', async () => {
    const res = await post(body([]), { 'content-type': 'text/plain' });
    expect(res.statusCode).toBe(415);
  });

  it('keeps the JSON form, with a charset parameter too', async () => {
    const P = 7105;
    const res = await m.t.platform.app.inject({
      method: 'POST',
      url: '/api/v1/monitor/ingest',
      payload: JSON.stringify({
        agent: { name: 'gw-santander-1', org: 'santander' },
        events: [{ id: `gw-santander-1:1:2:${P}`, type: 'eve', line: flow(P, 0) }],
      }),
      headers: { authorization: `Bearer ${m.gatewayKey}`, 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.json()).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
  });

  it('answers any NDJSON body with 200 and a full per-record account, or a 4xx error shape, never a 5xx (fuzz)', async () => {
    let n = 0;
    const recordLine = fc.oneof(
      fc.constant(null).map(() => agentRecord(`fz:${n++}`, flow(7106, n))),
      fc.json({ maxDepth: 2 }),
      fc.string({ maxLength: 80 }).map(oneLine),
      fc
        .tuple(fc.string({ maxLength: 20 }).map(oneLine), fc.string({ maxLength: 40 }).map(oneLine))
        .map(([id, tail]) => `{"id":"${id}","type":"eve","event":${tail}`),
      fc
        .tuple(fc.constantFrom('eve', 'json', 'auth', 'syslog', 'x'), fc.jsonValue({ maxDepth: 2 }))
        .map(([type, event]) => JSON.stringify({ id: `fz:${n++}`, type, event })),
    );
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(recordLine, { maxLength: 10 }), async (withAgent, lines) => {
        const text = (withAgent ? [AGENT_LINE, ...lines] : lines).join('\n');
        const res = await post(text);
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode === 200) {
          const r = res.json();
          const records = lines.filter((l) => !/^[ \t\r]*$/.test(l)).length;
          expect(r.accepted + r.duplicates + r.rejected.length).toBe(records);
        } else {
          expect(res.json().error.code).toMatch(/^[A-Z_]+$/);
        }
      }),
      { numRuns: 60 },
    );
  });
});
