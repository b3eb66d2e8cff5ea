import { Client } from '@elastic/elasticsearch';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBulkBody } from '../src/monitor/ingest/bulk.ts';
import { startMonitorPlatform, eveLine, type MonitorPlatform } from './helpers/monitor.ts';
import { describeWithTestdata } from './helpers/testdata.ts';

const NOW = Date.now();

function esClient(m: MonitorPlatform, auth: ConstructorParameters<typeof Client>[0]['auth']): Client {
  return new Client({ node: `${m.t.platform.url}/api/v1/monitor/es`, auth, maxRetries: 0, requestTimeout: 30_000 });
}

describe('Elasticsearch _bulk compatibility', () => {
  let m: MonitorPlatform;
  beforeAll(async () => {
    m = await startMonitorPlatform({ listen: true });
  });
  afterAll(async () => {
    await m.close();
  });

  it('answers the info probe as Elasticsearch 8 with the product header', async () => {
    const [id, secret] = m.gatewayKey.slice('msec_'.length).split('.');
    const client = esClient(m, { apiKey: { id: id!, api_key: secret! } });
    const info = await client.info();
    expect(info.version.number).toMatch(/^8\./);
    await client.close();
  });

  it('stores a mixed bulk: good items stored, bad ones reported per item in Elasticsearch shape', async () => {
    const good = (i: number) =>
      eveLine({
        timeMs: NOW - 60_000 + i,
        event_type: 'flow',
        src_ip: '192.0.2.1',
        dest_ip: '10.0.0.1',
        dest_port: 1883,
        proto: 'TCP',
        flow_id: 900 + i,
      });
    const body = [
      JSON.stringify({ index: { _index: 'eve', _id: 'a1' } }),
      good(1),
      JSON.stringify({ create: { _index: 'eve', _id: 'a2' } }),
      '{"truncated": ',
      JSON.stringify({ index: { _index: 'eve' } }),
      JSON.stringify({ message: good(2), host: { name: 'gw-fb-1' } }),
      JSON.stringify({ delete: { _index: 'eve', _id: 'a1' } }),
      JSON.stringify({ create: { _index: 'eve', _id: 'a1' } }),
      good(1),
      JSON.stringify({ index: { _index: 'eve', _id: 'a3' } }),
      eveLine({ timeMs: NOW + 30 * 86_400_000, event_type: 'flow' }),
      '',
    ].join('\n');
    const res = await fetch(`${m.t.platform.url}/api/v1/monitor/es/_bulk`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/x-ndjson',
        authorization: `Basic ${Buffer.from(`gw:${m.gatewayKey}`).toString('base64')}`,
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
    const r = (await res.json()) as {
      errors: boolean;
      items: Array<Record<string, { status: number; _id: string; error?: { type: string; reason: string } }>>;
    };
    expect(r.errors).toBe(true);
    const statuses = r.items.map((it) => Object.entries(it).map(([op, v]) => `${op}:${v.status}`)[0]);
    expect(statuses).toEqual(['index:201', 'create:400', 'index:201', 'delete:400', 'create:409', 'index:400']);
    expect(r.items[5]!.index!.error!.reason).toMatch(/MONITOR_EVENT_TIME_INVALID/);
    const events = (
      await m.t.request('GET', '/api/v1/monitor/events?dataset=flow&limit=10', { token: m.santanderOp })
    ).json().items;
    expect(events).toHaveLength(2);
    expect(events.map((e: { doc: { observer: { name?: string } } }) => e.doc.observer.name).sort()).toEqual(
      ['gw-fb-1', undefined].sort(),
    );
  });

  it('refuses bad credentials in Elasticsearch shape, with the msec code', async () => {
    const client = esClient(m, { username: 'sant-op', password: 'not-the-password-1' });
    await expect(client.bulk({ operations: [{ index: { _index: 'x' } }, { a: 1 }] })).rejects.toMatchObject({
      meta: { statusCode: 401 },
    });
    const res = await fetch(`${m.t.platform.url}/api/v1/monitor/es/_bulk`, {
      method: 'POST',
      body: '{}\n',
      headers: { 'content-type': 'application/x-ndjson', authorization: 'ApiKey bm9wZTpub3Bl' },
    });
    expect(res.status).toBe(401);
    const e = (await res.json()) as { error: { code: string; type: string } };
    expect(e.error.type).toBe('security_exception');
    expect(e.error.code).toMatch(/TOKEN|UNAUTHENTICATED|INVALID/);
    await client.close();
  });

  it('splits bulk bodies without losing good pairs around bad lines (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.constant('good'), fc.constant('badaction'), fc.constant('badsource'), fc.constant('noise')),
          { maxLength: 30 },
        ),
        (kinds) => {
          const lines: string[] = [];
          let goods = 0;
          for (const k of kinds) {
            if (k === 'good') {
              lines.push('{"index":{"_index":"i"}}', '{"a":1}');
              goods++;
            } else if (k === 'badaction') lines.push('{"index":');
            else if (k === 'badsource') lines.push('{"create":{"_index":"i"}}', '');
            else lines.push('');
          }
          const items = parseBulkBody(lines.join('\n'), undefined);
          expect(items.filter((i) => !i.error && i.source === '{"a":1}')).toHaveLength(goods);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describeWithTestdata('eve-samples', 'the official Elasticsearch client ships EVE records into msec', (dir) => {
  let m: MonitorPlatform;
  beforeAll(async () => {
    m = await startMonitorPlatform({ listen: true });
  });
  afterAll(async () => {
    await m.close();
  });

  it('helpers.bulk stores every record of a file, and each is searchable', async () => {
    const lines = readFileSync(join(dir, 'generated/modbus/eve.json'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const client = esClient(m, { username: 'gw', password: m.gatewayKey });
    const stats = await client.helpers.bulk<Record<string, unknown>>({
      datasource: lines.map((l) => JSON.parse(l) as Record<string, unknown>),
      onDocument: () => ({ create: { _index: 'suricata-eve' } }),
      flushBytes: 16 * 1024,
      concurrency: 2,
      refreshOnCompletion: true,
    });
    expect(stats.failed).toBe(0);
    expect(stats.successful).toBe(lines.length);
    const types = lines.map((l) => (JSON.parse(l) as { event_type: string }).event_type);
    for (const t of new Set(types)) {
      const count = types.filter((x) => x === t).length;
      const top = (
        await m.t.request('GET', `/api/v1/monitor/events/top?by=dataset&dataset=${t}`, { token: m.santanderOp })
      ).json();
      expect(top.items).toEqual([{ key: t, count }]);
    }
    // Shipping the same file again stores nothing twice (ids are the content hash when none is given).
    const again = await client.helpers.bulk<Record<string, unknown>>({
      datasource: lines.map((l) => JSON.parse(l) as Record<string, unknown>),
      onDocument: () => ({ index: { _index: 'suricata-eve' } }),
    });
    expect(again.failed).toBe(0);
    const all = (
      await m.t.request('GET', '/api/v1/monitor/events/top?by=dataset&n=50', { token: m.santanderOp })
    ).json().items as Array<{ count: number }>;
    expect(all.reduce((s, x) => s + x.count, 0)).toBe(lines.length);
    await client.close();
  });
});
