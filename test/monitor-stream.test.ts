import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eveAlert, startMonitorPlatform, type MonitorPlatform } from './helpers/monitor.ts';
import { openSse, type SseClient } from './helpers/sse.ts';

interface AlertMsg {
  alerts: Array<{ id: string; org: string; rule: { title: string }; status: string }>;
}

/**
 * GET /monitor/stream: live alerts and event counts over server-sent events, authorised per
 * organisation for every message, and a live session of IAM (logout or revocation ends it).
 */
describe('monitor stream (server-sent events): authorisation and session binding', () => {
  let m: MonitorPlatform;
  let base = '';
  const open: SseClient[] = [];
  let n = 0;

  beforeAll(async () => {
    m = await startMonitorPlatform({ listen: true });
    base = m.t.platform.url;
  }, 120_000);
  afterAll(async () => {
    open.forEach((s) => s.close());
    await m?.close();
  });

  const stream = async (headers: Record<string, string>, query = '') => {
    const s = await openSse(`${base}/api/v1/monitor/stream${query}`, headers);
    open.push(s);
    return s;
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  const ingest = async (token: string, org: string, signature: string) => {
    const i = ++n;
    const res = await m.t.request('POST', '/api/v1/monitor/ingest', {
      token,
      body: {
        agent: { name: `gw-${org}`, version: '0.1.0', org },
        events: [
          {
            id: `gw-${org}:1:1:${i}`,
            type: 'eve',
            file: '/var/log/suricata/eve.json',
            line: eveAlert(Date.now() - 1000, {
              sid: 2100000 + i,
              signature,
              severity: 2,
              src: `198.51.100.${i}`,
              dst: '10.0.0.1',
              flow: 5000 + i,
            }),
          },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
  };
  const titled = (title: string) => (e: { event: string; data: unknown }) =>
    e.event === 'alerts' && (e.data as AlertMsg).alerts.some((a) => a.rule.title === title);

  it('refuses a stream without a credential, and to a user without the right to read alerts', async () => {
    expect((await stream({})).status).toBe(401);
    const r = await m.t.request('POST', '/api/v1/principals', {
      token: m.admin,
      body: { org: 'santander', kind: 'user', name: 'viewer', roles: ['consumer'], password: 'viewer-password-123' },
    });
    expect(r.statusCode).toBe(201);
    expect((await stream(bearer(await m.t.login('viewer', 'viewer-password-123')))).status).toBe(403);
    // Another city's stream, asked for by name, is refused.
    expect((await stream(bearer(m.santanderOp), '?org=fujisawa')).status).toBe(403);
  });

  it("delivers a city's new alerts and event counts to that city's operator only; the platform sees both", async () => {
    const sant = await stream(bearer(m.santanderOp));
    const fuji = await stream(bearer(m.fujisawaOp));
    const soc = await stream(bearer(m.platformOp));
    expect([sant.status, fuji.status, soc.status]).toEqual([200, 200, 200]);
    await Promise.all([sant, fuji, soc].map((s) => s.next((e) => e.event === 'hello')));

    await ingest(m.gatewayKey, 'santander', 'SANT live alert');
    await ingest(m.admin, 'fujisawa', 'FUJI live alert');
    const got = await sant.next(titled('SANT live alert'));
    expect((got.data as AlertMsg).alerts.every((a) => a.org === 'santander')).toBe(true);
    await fuji.next(titled('FUJI live alert'));
    await soc.next(titled('SANT live alert'));
    await soc.next(titled('FUJI live alert'));
    await sant.next(
      (e) => e.event === 'events' && (e.data as { counts: Record<string, number> }).counts.santander! >= 1,
    );

    // A later santander alert arrives after anything sent before it: by then a leak would have shown.
    await ingest(m.gatewayKey, 'santander', 'SANT marker');
    await sant.next(titled('SANT marker'));
    await fuji.next((e) => e.event === 'events' && 'fujisawa' in (e.data as { counts: object }).counts);
    const all = [...sant.events, ...fuji.events];
    const leaked = (s: SseClient, org: string) =>
      s.events.some(
        (e) =>
          (e.event === 'alerts' && (e.data as AlertMsg).alerts.some((a) => a.org === org)) ||
          (e.event === 'events' && org in (e.data as { counts: object }).counts),
      );
    expect(all.length).toBeGreaterThan(0);
    expect(leaked(sant, 'fujisawa')).toBe(false);
    expect(leaked(fuji, 'santander')).toBe(false);
  });

  it('pushes triage changes: an acknowledged alert arrives with its new status', async () => {
    const sant = await stream(bearer(m.santanderOp));
    await ingest(m.gatewayKey, 'santander', 'SANT to acknowledge');
    const created = await sant.next(titled('SANT to acknowledge'));
    const id = (created.data as AlertMsg).alerts.find((a) => a.rule.title === 'SANT to acknowledge')!.id;
    const r = await m.t.request('PATCH', `/api/v1/monitor/alerts/${id}`, {
      token: m.santanderOp,
      body: { status: 'acknowledged' },
    });
    expect(r.statusCode).toBe(200);
    await sant.next(
      (e) =>
        e.event === 'alerts' && (e.data as AlertMsg).alerts.some((a) => a.id === id && a.status === 'acknowledged'),
    );
  });

  it("ends the stream when the user's rights are revoked", async () => {
    const created = await m.t.request('POST', '/api/v1/principals', {
      token: m.admin,
      body: { org: 'santander', kind: 'user', name: 'op2', roles: ['operator'], password: 'op2-password-12345' },
    });
    expect(created.statusCode).toBe(201);
    const s = await stream(bearer(await m.t.login('op2', 'op2-password-12345')));
    await s.next((e) => e.event === 'hello');
    const r = await m.t.request('PATCH', `/api/v1/principals/${created.json().id}`, {
      token: m.admin,
      body: { disabled: true },
    });
    expect(r.statusCode).toBe(200);
    const end = await s.next((e) => e.event === 'end');
    expect(typeof (end.data as { reason: string }).reason).toBe('string');
    await s.closed;
  });

  it('ends a console stream when its session logs out, and refuses the cookie afterwards', async () => {
    const login = await m.t.request('POST', '/api/v1/console/session', {
      body: { username: 'sant-op', password: 'sant-op-password-123' },
    });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const s = await stream({ cookie });
    expect(s.status).toBe(200);
    await s.next((e) => e.event === 'hello');
    const out = await m.t.request('DELETE', '/api/v1/console/session', {
      headers: { cookie, 'x-csrf-token': login.json().csrf },
    });
    expect(out.statusCode).toBe(204);
    await s.next((e) => e.event === 'end');
    await s.closed;
    expect((await stream({ cookie })).status).toBe(401);
  });
});
