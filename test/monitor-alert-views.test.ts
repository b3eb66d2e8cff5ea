import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eveAlert, startMonitorPlatform, type MonitorPlatform } from './helpers/monitor.ts';

/** The views the console's alert pages draw: count, ATT&CK matrix, lifecycle history. */
describe('monitor alert views: count, ATT&CK matrix, lifecycle history', () => {
  let m: MonitorPlatform;
  beforeAll(async () => {
    m = await startMonitorPlatform();
    const alert = (i: number, technique: string, src: string) => ({
      id: `gw-santander-1:1:1:${i}`,
      type: 'eve',
      file: '/var/log/suricata/eve.json',
      line: eveAlert(Date.now() - 10_000 + i, {
        sid: technique === 'T1110' ? 2000001 : 2000002,
        signature: technique === 'T1110' ? 'ET TELNET brute force' : 'ET SCADA Modbus write',
        severity: 2,
        src,
        dst: '10.0.0.5',
        flow: 100 + i,
        technique,
      }),
    });
    const res = await m.t.request('POST', '/api/v1/monitor/ingest', {
      token: m.gatewayKey,
      body: {
        agent: { name: 'gw-santander-1', version: '0.1.0', org: 'santander' },
        events: [alert(1, 'T1110', '203.0.113.1'), alert(2, 'T1110', '203.0.113.1'), alert(3, 'T0855', '203.0.113.2')],
      },
    });
    expect(res.statusCode).toBe(200);
  }, 120_000);
  afterAll(() => m?.close());

  const get = (url: string, token = m.santanderOp) => m.t.request('GET', `/api/v1${url}`, { token });

  it('counts the alerts of a filter, per organisation', async () => {
    expect((await get('/monitor/alerts/count?kind=ids')).json()).toEqual({ count: 2 });
    expect((await get('/monitor/alerts/count?kind=ids', m.fujisawaOp)).json()).toEqual({ count: 0 });
    expect((await get('/monitor/alerts/count?status=closed')).json()).toEqual({ count: 0 });
  });

  it("places the alerts' techniques in the matrix under their tactics, with names and counts", async () => {
    const res = await get('/monitor/alerts/matrix?kind=ids');
    expect(res.statusCode).toBe(200);
    const cols = res.json().columns as Array<{
      name: string;
      matrix: string;
      techniques: Array<Record<string, unknown>>;
    }>;
    const cell = (tactic: string, matrix = 'enterprise') =>
      cols.find((c) => c.name === tactic && c.matrix === matrix)!.techniques;
    expect(cell('Credential Access')).toEqual([{ id: 'T1110', name: 'Brute Force', alerts: 1, events: 2 }]);
    expect(cell('Impair Process Control', 'ics')).toEqual([
      { id: 'T0855', name: 'Unauthorized Command Message', alerts: 1, events: 1 },
    ]);
    const fuji = (await get('/monitor/alerts/matrix', m.fujisawaOp)).json();
    expect(fuji.columns.every((c: { techniques: unknown[] }) => c.techniques.length === 0)).toBe(true);
  });

  it("records each lifecycle change in the alert's history, with actor and reason", async () => {
    const list = (await get('/monitor/alerts?kind=ids&rule=suricata:1:2000001')).json().items as Array<{ id: string }>;
    const id = list[0]!.id;
    const patch = (body: unknown) =>
      m.t.request('PATCH', `/api/v1/monitor/alerts/${id}`, { token: m.santanderOp, body });
    expect((await patch({ status: 'acknowledged' })).statusCode).toBe(200);
    expect((await patch({ assignee: 'maria' })).statusCode).toBe(200);
    expect((await patch({ comment: 'only a comment' })).statusCode).toBe(200);
    expect((await patch({ status: 'closed', closeReason: 'true_positive' })).statusCode).toBe(200);
    const detail = (await get(`/monitor/alerts/${id}`)).json();
    expect(detail.history.map((h: Record<string, unknown>) => ({ ...h, at: typeof h.at }))).toEqual([
      { at: 'number', actor: 'sant-op', from: 'open', to: 'acknowledged' },
      { at: 'number', actor: 'sant-op', from: 'acknowledged', to: 'acknowledged', assignee: 'maria' },
      { at: 'number', actor: 'sant-op', from: 'acknowledged', to: 'closed', closeReason: 'true_positive' },
    ]);
    expect(detail.comments.map((c: { text: string }) => c.text)).toEqual(['only a comment']);
  });
});
