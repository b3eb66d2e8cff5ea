import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitorPlatform, eveAlert, eveLine, type MonitorPlatform } from './helpers/monitor.ts';
import { storeCases } from './helpers/stores.ts';
import { iamMigrations } from '../src/iam/index.ts';
import { MONITOR, SIGNATURE_HEADER, verifySignature } from '../src/monitor/index.ts';
import { MAX_QUEUED_BATCHES } from '../src/monitor/api/ingest-routes.ts';

const NOW = Date.now();
const BASE = NOW - 3_600_000;

describe.each(storeCases)('monitor API on $name: ingest, alerts, triage, queries, organisations', (storeCase) => {
  let m: MonitorPlatform;
  let cleanup: () => Promise<void>;
  const ingest = (body: unknown, token = m.gatewayKey, headers: Record<string, string> = {}) =>
    m.t.request('POST', '/api/v1/monitor/ingest', { token, body, headers });

  beforeAll(async () => {
    const opened = await storeCase.open(iamMigrations);
    cleanup = opened.cleanup;
    m = await startMonitorPlatform({ store: opened.store });
  });
  afterAll(async () => {
    await m.close();
    await cleanup();
  });

  const agent = { name: 'gw-santander-1', version: '0.1.0', org: 'santander' };
  const brute = (i: number) => ({
    id: `gw-santander-1:1:2:${i * 100}`,
    type: 'eve',
    line: eveAlert(BASE + i * 1000, {
      sid: 2000001,
      signature: 'ET TELNET brute force',
      severity: 1,
      src: '203.0.113.9',
      dst: '10.0.0.5',
      flow: 77 + i,
      technique: 'T1110',
    }),
    file: '/var/log/suricata/eve.json',
  });

  it('stores a batch, reports each bad item, and stores nothing twice on replay', async () => {
    const events = [
      brute(0),
      {
        id: 'gw-santander-1:1:2:x1',
        type: 'eve',
        line: '{"timestamp":"2026-01-01T00:00:00.000000+0000","event_type":"alert"',
      },
      brute(1),
      {
        id: 'gw-santander-1:1:2:x2',
        type: 'eve',
        line: eveLine({ timeMs: NOW + 86_400_000 * 3, event_type: 'flow', src_ip: '1.2.3.4', dest_ip: '5.6.7.8' }),
      },
      { id: 'gw-santander-1:1:2:x3', type: 'eve', line: eveLine({ timeMs: BASE, event_type: 'no_such_type' }) },
      { id: 'bad id with spaces', type: 'eve', line: eveLine({ timeMs: BASE, event_type: 'flow' }) },
      brute(2),
      brute(2),
    ];
    const first = await ingest({ agent, events });
    expect(first.statusCode).toBe(200);
    const r = first.json();
    expect(r.accepted).toBe(3);
    expect(r.duplicates).toBe(1);
    expect(r.rejected.map((x: { index: number; code: string }) => [x.index, x.code])).toEqual([
      [1, 'MONITOR_EVENT_INVALID'],
      [3, 'MONITOR_EVENT_TIME_INVALID'],
      [4, 'MONITOR_EVENT_TYPE_UNKNOWN'],
      [5, 'MONITOR_EVENT_INVALID'],
    ]);
    expect(r.accepted + r.duplicates + r.rejected.length).toBe(events.length);

    const again = (await ingest({ agent, events }, m.gatewayKey, {})).json();
    expect(again).toMatchObject({ accepted: 0, duplicates: 4 });
    const list = (
      await m.t.request('GET', '/api/v1/monitor/events?dataset=alert&limit=50', { token: m.santanderOp })
    ).json();
    expect(list.items).toHaveLength(3);
    expect(list.items[0].doc.suricata.eve.alert.metadata.mitre_technique_id).toEqual(['T1110']);
  });

  it('accepts a gzip body, and refuses oversized batches with 413', async () => {
    const body = JSON.stringify({ agent, events: [brute(3)] });
    const res = await m.t.platform.app.inject({
      method: 'POST',
      url: '/api/v1/monitor/ingest',
      payload: gzipSync(body),
      headers: {
        authorization: `Bearer ${m.gatewayKey}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().accepted).toBe(1);
    const many = Array.from({ length: 5001 }, (_, i) => ({ id: `big:${i}`, type: 'eve', line: '{}' }));
    const big = await ingest({ agent, events: many });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('MONITOR_BATCH_TOO_LARGE');
  });

  it('counts queued batches, sheds load with 503 and retry-after at the bound, and stores a resent batch once', async () => {
    const monitor = m.t.platform.ctx.services.get(MONITOR);
    const flows = (b: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `load:${b}:${i}`,
        type: 'eve',
        line: eveLine({
          timeMs: BASE + i,
          event_type: 'flow',
          flow_id: b * 10_000 + i,
          src_ip: '10.3.0.1',
          dest_ip: '10.3.0.2',
          dest_port: 8080,
          proto: 'TCP',
        }),
      }));
    // Each call queues before it awaits anything: the count is exact, then drains to zero.
    const queued = Array.from({ length: 20 }, (_, b) =>
      monitor.pipeline.ingestLines('santander', 'gw-load', flows(b, 100)),
    );
    expect(monitor.pipeline.queued).toBe(20);
    expect((await Promise.all(queued)).every((r) => r.accepted === 100)).toBe(true);
    expect(monitor.pipeline.queued).toBe(0);
    // At the bound the route refuses before touching the batch (how fast batches drain depends on the store).
    monitor.pipeline.queued = MAX_QUEUED_BATCHES;
    const shed = await ingest({ agent, events: flows(99, 10) });
    monitor.pipeline.queued = 0;
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('1');
    expect(shed.json().error.code).toBe('UNAVAILABLE');
    expect((await ingest({ agent, events: flows(99, 10) })).json()).toMatchObject({ accepted: 10 });
    expect((await ingest({ agent, events: flows(99, 10) })).json()).toMatchObject({ accepted: 0, duplicates: 10 });
    const top = (
      await m.t.request('GET', '/api/v1/monitor/events/top?by=port&port=8080', { token: m.santanderOp })
    ).json();
    expect(top.items).toEqual([{ key: 8080, count: 2010 }]);
  });

  it("refuses a wrong token and another city's org", async () => {
    expect(
      (
        await ingest(
          { agent, events: [brute(9)] },
          'msec_k_AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        )
      ).statusCode,
    ).toBe(401);
    const other = await ingest({ agent: { ...agent, org: 'fujisawa' }, events: [brute(9)] });
    expect(other.statusCode).toBe(403);
  });

  it('groups IDS alerts by rule, source and destination with count, first/last seen and MITRE ids', async () => {
    const res = await m.t.request('GET', '/api/v1/monitor/alerts?kind=ids', { token: m.santanderOp });
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items).toHaveLength(1);
    const a = items[0];
    expect(a).toMatchObject({
      org: 'santander',
      source: '203.0.113.9',
      destination: '10.0.0.5',
      count: 4,
      status: 'open',
      level: 'high',
    });
    expect(a.firstSeen).toBe(BASE);
    expect(a.lastSeen).toBe(BASE + 3000);
    expect(a.mitre).toMatchObject({ technique: 'T1110', tactic: 'TA0006', tacticName: 'Credential Access' });
    expect(a.risk).toBeGreaterThan(70);
    expect(a.risk).toBeLessThanOrEqual(100);
    const ev = (await m.t.request('GET', `/api/v1/monitor/alerts/${a.id}/events`, { token: m.santanderOp })).json();
    expect(ev.linked).toHaveLength(4);
  });

  it("keeps each city's events and alerts to itself", async () => {
    const fuji = await m.t.request('GET', '/api/v1/monitor/alerts', { token: m.fujisawaOp });
    expect(fuji.json().items).toEqual([]);
    expect((await m.t.request('GET', '/api/v1/monitor/events?org=santander', { token: m.fujisawaOp })).statusCode).toBe(
      403,
    );
    const mine = (await m.t.request('GET', '/api/v1/monitor/alerts', { token: m.santanderOp })).json().items;
    expect((await m.t.request('GET', `/api/v1/monitor/alerts/${mine[0].id}`, { token: m.fujisawaOp })).statusCode).toBe(
      404,
    );
    const soc = (await m.t.request('GET', '/api/v1/monitor/alerts', { token: m.platformOp })).json().items;
    expect(soc.map((x: { id: string }) => x.id)).toContain(mine[0].id);
  });

  it('answers histograms and top-N with filters', async () => {
    const h = (
      await m.t.request(
        'GET',
        `/api/v1/monitor/events/histogram?from=${BASE - 60_000}&to=${BASE + 60_000}&interval=2000&dataset=alert`,
        { token: m.santanderOp },
      )
    ).json();
    for (const b of h.buckets) expect(b.t % 2000).toBe(0);
    expect(h.buckets.length).toBeGreaterThanOrEqual(2);
    expect(h.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(4);
    const top = (
      await m.t.request('GET', '/api/v1/monitor/events/top?by=signature&dataset=alert', { token: m.santanderOp })
    ).json();
    expect(top.items).toEqual([{ key: 'ET TELNET brute force', count: 4 }]);
    const byText = (
      await m.t.request('GET', '/api/v1/monitor/events?field=suricata.eve.alert.signature&q=telnet', {
        token: m.santanderOp,
      })
    ).json();
    expect(byText.items).toHaveLength(4);
    const none = (
      await m.t.request('GET', '/api/v1/monitor/events?field=suricata.eve.alert.signature&q=modbus', {
        token: m.santanderOp,
      })
    ).json();
    expect(none.items).toHaveLength(0);
    const page1 = (
      await m.t.request('GET', '/api/v1/monitor/events?limit=3&dataset=alert', { token: m.santanderOp })
    ).json();
    const page2 = (
      await m.t.request('GET', `/api/v1/monitor/events?limit=3&dataset=alert&cursor=${page1.nextCursor}`, {
        token: m.santanderOp,
      })
    ).json();
    expect(page1.items).toHaveLength(3);
    expect(page2.items).toHaveLength(1);
    expect(new Set([...page1.items, ...page2.items].map((e: { seq: number }) => e.seq)).size).toBe(4);
    expect((await m.t.request('GET', '/api/v1/monitor/events?limit=100000', { token: m.santanderOp })).statusCode).toBe(
      400,
    );
  });

  it('runs the lifecycle open -> acknowledged -> escalated -> closed, with comments, audited', async () => {
    const [a] = (await m.t.request('GET', '/api/v1/monitor/alerts?kind=ids', { token: m.santanderOp })).json().items;
    const patch = (body: unknown, token = m.santanderOp) =>
      m.t.request('PATCH', `/api/v1/monitor/alerts/${a.id}`, { token, body });
    expect((await patch({ status: 'acknowledged', assignee: 'sant-op', comment: 'looking' })).json()).toMatchObject({
      status: 'acknowledged',
      assignee: 'sant-op',
    });
    expect((await patch({ status: 'escalated' })).json().status).toBe('escalated');
    const noReason = await patch({ status: 'closed' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.code).toBe('MONITOR_ALERT_CLOSE_REASON_REQUIRED');
    expect((await patch({ status: 'acknowledged' }, m.santanderAnalyst)).statusCode).toBe(403);
    expect((await patch({ status: 'closed', closeReason: 'true_positive' })).json()).toMatchObject({
      status: 'closed',
      closeReason: 'true_positive',
    });
    const detail = (await m.t.request('GET', `/api/v1/monitor/alerts/${a.id}`, { token: m.santanderOp })).json();
    expect(detail.comments).toEqual([expect.objectContaining({ actor: 'sant-op', text: 'looking' })]);
    const audit = (await m.t.request('GET', '/api/v1/audit?limit=200', { token: m.admin })).json();
    const updates = (audit.items as Array<{ action: string; detail: { to?: string } | null }>).filter(
      (e) => e.action === 'monitor:alert:update',
    );
    expect(updates.map((u) => u.detail?.to).filter(Boolean)).toEqual(
      expect.arrayContaining(['acknowledged', 'escalated', 'closed']),
    );
    // A new match after closing opens a new alert for the same group.
    await ingest({ agent, events: [brute(20)] });
    const open = (
      await m.t.request('GET', '/api/v1/monitor/alerts?status=open&kind=ids', { token: m.santanderOp })
    ).json().items;
    expect(open).toHaveLength(1);
    expect(open[0].id).not.toBe(a.id);
    expect(open[0].count).toBe(1);
  });

  it('suppresses a signature for a source, and bulk-acknowledges on a filter', async () => {
    const sup = await m.t.request('POST', '/api/v1/monitor/suppressions', {
      token: m.santanderOp,
      body: { signatureId: 2000001, srcIp: '203.0.113.9', durationMs: 3_600_000, reason: 'pen test' },
    });
    expect(sup.statusCode).toBe(201);
    await ingest({ agent, events: [brute(21), brute(22)] });
    const open = (
      await m.t.request('GET', '/api/v1/monitor/alerts?status=open&kind=ids', { token: m.santanderOp })
    ).json().items;
    expect(open[0].count).toBe(1);
    const sups = (await m.t.request('GET', '/api/v1/monitor/suppressions', { token: m.santanderOp })).json().items;
    expect(sups[0].hits).toBe(2);
    const bulk = await m.t.request('POST', '/api/v1/monitor/alerts/bulk', {
      token: m.santanderOp,
      body: { filter: { status: 'open' }, update: { status: 'acknowledged' } },
    });
    expect(bulk.json().updated).toBeGreaterThanOrEqual(1);
    const still = (await m.t.request('GET', '/api/v1/monitor/alerts?status=open', { token: m.santanderOp })).json()
      .items;
    expect(still).toEqual([]);
  });

  it("stores the platform's own failed logins from the bus and correlates a brute force", async () => {
    for (let i = 0; i < 11; i++) {
      const r = await m.t.request('POST', '/api/v1/auth/login', {
        body: { username: `nobody${i}`, password: 'wrong-password-123' },
      });
      expect(r.statusCode).toBeGreaterThanOrEqual(400);
    }
    const deadline = Date.now() + 20_000;
    let alerts: Array<{ rule: { kind: string; title: string }; source: string }> = [];
    while (Date.now() < deadline) {
      alerts = (
        await m.t.request('GET', '/api/v1/monitor/alerts?org=platform&kind=correlation', { token: m.admin })
      ).json().items;
      if (alerts.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(alerts.map((a) => a.rule.title)).toContain('Credential brute force from one source');
    const evs = (await m.t.request('GET', '/api/v1/monitor/events?org=platform&dataset=iam', { token: m.admin })).json()
      .items;
    expect(evs.length).toBeGreaterThanOrEqual(10);
    expect(evs[0].doc.event).toMatchObject({ action: 'login_failed', outcome: 'failure' });
  });
  it('answers any batch with 200 and a full per-item account, or a 4xx error shape, never a 5xx (fuzz)', async () => {
    const item = fc.record({
      id: fc.oneof(fc.stringMatching(/^[a-z0-9:]{1,40}$/), fc.string({ maxLength: 300 })),
      type: fc.constantFrom('eve', 'json', 'auth', 'syslog', 'bogus'),
      line: fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.json({ maxDepth: 2 }),
        fc.constant(brute(0).line),
        fc.constant('Dec  1 10:00:00 gw sshd[1]: Failed password for root from 198.51.100.7 port 4242 ssh2'),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.record({ agent: fc.constant(agent), events: fc.array(item, { maxLength: 12 }) }), fc.anything()),
        async (body) => {
          const res = await ingest(body);
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode === 200) {
            const r = res.json();
            expect(r.accepted + r.duplicates + r.rejected.length).toBe((body as { events: unknown[] }).events.length);
          } else {
            expect(res.json().error.code).toMatch(/^[A-Z_]+$/);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('monitor rules through the API: add, tune, disable without a restart', () => {
  let m: MonitorPlatform;
  beforeAll(async () => {
    m = await startMonitorPlatform();
  });
  afterAll(async () => {
    await m.close();
  });
  const agent = { name: 'gw-santander-1', org: 'santander' };
  let n = 0;
  const send = (line: string) =>
    m.t.request('POST', '/api/v1/monitor/ingest', {
      token: m.gatewayKey,
      body: { agent, events: [{ id: `r:${++n}`, type: 'eve', line }] },
    });
  const alertTitles = async () =>
    (await m.t.request('GET', '/api/v1/monitor/alerts?kind=detection', { token: m.santanderOp })).json()
      .items as Array<{ rule: { title: string }; count: number }>;
  const rule = (port: number, level = 'medium') =>
    `title: MQTT to port ${port}\nid: 5f1b2c3d-0000-4000-8000-00000000${String(port).padStart(4, '0')}\nlogsource:\n  product: suricata\n  service: flow\ndetection:\n  sel:\n    destination.port: ${port}\n  condition: sel\nlevel: ${level}\ntags:\n  - attack.t1071\n`;
  const flow = (port: number) =>
    eveLine({
      timeMs: Date.now() - 1000,
      event_type: 'flow',
      src_ip: '192.0.2.8',
      dest_ip: '10.0.0.3',
      dest_port: port,
      proto: 'TCP',
      flow_id: ++n,
    });

  it('adds an operator rule that fires at once, tunes it, and refuses a broken one with file and field', async () => {
    const add = await m.t.request('POST', '/api/v1/monitor/rules', {
      token: m.platformOp,
      body: { id: 'mqtt-watch', yaml: rule(1883), file: 'mqtt-watch.yml' },
    });
    expect(add.statusCode).toBe(201);
    await send(flow(1883));
    expect((await alertTitles()).map((a) => a.rule.title)).toContain('MQTT to port 1883');
    const tuned = await m.t.request('PUT', '/api/v1/monitor/rules/mqtt-watch', {
      token: m.platformOp,
      body: { yaml: rule(8883, 'high'), file: 'mqtt-watch.yml' },
    });
    expect(tuned.statusCode).toBe(200);
    await send(flow(1883));
    await send(flow(8883));
    const titles = await alertTitles();
    expect(titles.find((a) => a.rule.title === 'MQTT to port 1883')!.count).toBe(1);
    expect(titles.find((a) => a.rule.title === 'MQTT to port 8883')!.count).toBe(1);
    const bad = await m.t.request('PUT', '/api/v1/monitor/rules/mqtt-watch', {
      token: m.platformOp,
      body: { yaml: rule(8883, 'apocalyptic'), file: 'mqtt-watch.yml' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('MONITOR_RULE_INVALID');
    expect(bad.json().error.details.file).toBe('mqtt-watch.yml');
    // The broken version did not replace the working one.
    await send(flow(8883));
    expect((await alertTitles()).find((a) => a.rule.title === 'MQTT to port 8883')!.count).toBe(2);
    expect(
      (await m.t.request('POST', '/api/v1/monitor/rules', { token: m.santanderOp, body: { id: 'x', yaml: rule(1) } }))
        .statusCode,
    ).toBe(403);
  });

  it('disables and re-enables a pack rule', async () => {
    const pack = (await m.t.request('GET', '/api/v1/monitor/rules', { token: m.santanderOp })).json().items as Array<{
      id: string;
      title: string;
      origin: string;
    }>;
    const p1 = pack.find((r) => r.title === 'IDS alert of priority 1')!;
    const alert = (i: number) =>
      eveAlert(Date.now() - 1000, {
        sid: 3000 + i,
        signature: `P1 ${i}`,
        severity: 1,
        src: '192.0.2.9',
        dst: '10.0.0.4',
      });
    expect(
      (await m.t.request('PATCH', `/api/v1/monitor/rules/${p1.id}`, { token: m.platformOp, body: { enabled: false } }))
        .statusCode,
    ).toBe(200);
    await send(alert(1));
    expect((await alertTitles()).filter((a) => a.rule.title === p1.title)).toEqual([]);
    expect(
      (await m.t.request('PATCH', `/api/v1/monitor/rules/${p1.id}`, { token: m.platformOp, body: { enabled: true } }))
        .statusCode,
    ).toBe(200);
    await send(alert(2));
    expect((await alertTitles()).filter((a) => a.rule.title === p1.title)).toHaveLength(1);
    expect(
      (
        await m.t.request('PATCH', '/api/v1/monitor/rules/no-such-rule', {
          token: m.platformOp,
          body: { enabled: false },
        })
      ).statusCode,
    ).toBe(404);
  });
});

describe('monitor webhooks through the API', () => {
  let m: MonitorPlatform;
  const got: Array<{ body: string; signature: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ body, signature: String(req.headers[SIGNATURE_HEADER]) });
      res.writeHead(200).end('ok');
    });
  });
  beforeAll(async () => {
    m = await startMonitorPlatform();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await m.close();
    await new Promise((r) => server.close(r));
  });

  it("sends a city's new high alert once, signed with the webhook's secret, and not another city's", async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/msec`;
    const made = await m.t.request('POST', '/api/v1/monitor/webhooks', {
      token: m.santanderOp,
      body: { url, minSeverity: 4 },
    });
    expect(made.statusCode).toBe(201);
    const secret = made.json().secret as string;
    expect(
      (await m.t.request('GET', '/api/v1/monitor/webhooks', { token: m.santanderOp })).json().items[0],
    ).not.toHaveProperty('secret');
    expect((await m.t.request('GET', '/api/v1/monitor/webhooks', { token: m.fujisawaOp })).json().items).toEqual([]);
    const t = Date.now() - 5000;
    const line = (i: number, sev: number) =>
      eveAlert(t + i, {
        sid: 4240 + sev,
        signature: `HOOK ${sev}`,
        severity: sev,
        src: '192.0.2.44',
        dst: '10.0.0.44',
      });
    const body = {
      agent: { name: 'gw-santander-1', org: 'santander' },
      events: [1, 2, 3]
        .map((i) => ({ id: `hook:${i}`, type: 'eve', line: line(i, 1) }))
        .concat([{ id: 'hook:low', type: 'eve', line: line(9, 3) }]),
    };
    expect((await m.t.request('POST', '/api/v1/monitor/ingest', { token: m.gatewayKey, body })).statusCode).toBe(200);
    const deadline = Date.now() + 20_000;
    while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(got).toHaveLength(1);
    expect(verifySignature(secret, got[0]!.body, got[0]!.signature, Math.floor(Date.now() / 1000))).toBe(true);
    const sent = (
      JSON.parse(got[0]!.body) as { notifications: Array<{ ruleTitle: string; count: number; org: string }> }
    ).notifications;
    expect(sent.every((n) => n.org === 'santander' && n.ruleTitle !== 'HOOK 3')).toBe(true);
    expect(sent.find((n) => n.ruleTitle === 'HOOK 1')).toMatchObject({ count: 3 });
  });
});
