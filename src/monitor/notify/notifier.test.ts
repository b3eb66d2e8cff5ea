import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, silentLogger } from '../../core/index.ts';
import type { AlertChange } from '../alerts/grouping.ts';
import { Notifier, type Webhook } from './notifier.ts';
import { SIGNATURE_HEADER, verifySignature } from './payload.ts';

interface Received {
  body: string;
  signature: string;
  attempt: string;
  at: number;
}

/** A local webhook receiver; `failNext` answers that many requests with 503 first. */
function receiver() {
  const got: Received[] = [];
  let failNext = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end();
        return;
      }
      got.push({
        body,
        signature: String(req.headers[SIGNATURE_HEADER]),
        attempt: String(req.headers['x-msec-attempt']),
        at: Date.now(),
      });
      res.writeHead(204).end();
    });
  });
  return { server, got, fail: (n: number) => (failNext = n) };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const change = (o: Partial<AlertChange> = {}): AlertChange => ({
  id: 'al_1',
  org: 'santander',
  created: true,
  ruleId: 'r1',
  ruleTitle: 'SYN flood',
  level: 'high',
  severity: 4,
  risk: 80,
  count: 1,
  srcIp: null,
  dstIp: '10.0.0.1',
  technique: 'T1498',
  tactic: 'TA0040',
  firstSeen: 1,
  lastSeen: 2,
  ...o,
});

describe('webhook notifications', () => {
  const r = receiver();
  let url: string;
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  let hooks: Webhook[];
  let n: Notifier;

  beforeAll(async () => {
    await new Promise<void>((res) => r.server.listen(0, '127.0.0.1', res));
    url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await n?.stop();
    await new Promise((res) => r.server.close(res));
  });
  beforeEach(async () => {
    await n?.stop();
    r.got.length = 0;
    hooks = [
      {
        id: 'wh1',
        org: 'santander',
        url,
        format: 'json',
        secret: 's3cret-s3cret-s3cret',
        minSeverity: 3,
        repeatMs: 60_000,
      },
    ];
    n = new Notifier(() => hooks, clock, silentLogger(), { groupWaitMs: 20, retryBaseMs: 20, flapThreshold: 2 });
  });

  it('groups changes into one signed request the receiver can verify', async () => {
    n.offer([change(), change({ id: 'al_2', dstIp: '10.0.0.2' }), change({ id: 'al_3', severity: 2, level: 'low' })]);
    await until(() => r.got.length === 1);
    const msg = JSON.parse(r.got[0]!.body) as { notifications: Array<{ id: string; reason: string }> };
    expect(msg.notifications.map((x) => [x.id, x.reason])).toEqual([
      ['al_1', 'new'],
      ['al_2', 'new'],
    ]);
    expect(verifySignature(hooks[0]!.secret, r.got[0]!.body, r.got[0]!.signature, Math.floor(Date.now() / 1000))).toBe(
      true,
    );
    expect(
      verifySignature('another-secret-entirely', r.got[0]!.body, r.got[0]!.signature, Math.floor(Date.now() / 1000)),
    ).toBe(false);
    expect(
      verifySignature(hooks[0]!.secret, `${r.got[0]!.body} `, r.got[0]!.signature, Math.floor(Date.now() / 1000)),
    ).toBe(false);
  });

  it('repeats a still-firing alert only after the repeat interval', async () => {
    n.offer([change()]);
    await until(() => r.got.length === 1);
    n.offer([change({ created: false, count: 5 })]);
    clock.advance(30_000);
    n.offer([change({ created: false, count: 9 })]);
    clock.advance(31_000);
    n.offer([change({ created: false, count: 12 })]);
    await until(() => r.got.length === 2);
    const second = JSON.parse(r.got[1]!.body) as { notifications: Array<{ reason: string; count: number }> };
    expect(second.notifications).toEqual([expect.objectContaining({ reason: 'repeat', count: 12 })]);
  });

  it('damps a flapping group: one notice, then silence', async () => {
    for (let i = 1; i <= 6; i++) {
      n.offer([change({ id: `al_f${i}`, created: true })]);
      n.flush();
    }
    await until(() => r.got.length >= 3);
    await n.stop();
    const reasons = r.got.flatMap((g) =>
      (JSON.parse(g.body) as { notifications: Array<{ reason: string }> }).notifications.map((x) => x.reason),
    );
    expect(reasons).toEqual(['new', 'new', 'flapping']);
    expect(n.stats.damped).toBe(3);
  });

  it('retries with backoff until the receiver takes it, and renders a Slack body', async () => {
    hooks[0] = { ...hooks[0]!, format: 'slack' };
    r.fail(2);
    n.offer([change()]);
    await until(() => r.got.length === 1);
    expect(r.got[0]!.attempt).toBe('3');
    expect(n.stats.retried).toBe(2);
    const slack = JSON.parse(r.got[0]!.body) as { text: string; blocks: unknown[] };
    expect(slack.text).toContain('SYN flood');
    expect(slack.blocks.length).toBeGreaterThan(0);
  });

  it("does not send one city's alerts to another city's webhook", async () => {
    n.offer([change({ org: 'fujisawa' })]);
    n.flush();
    await n.stop();
    expect(r.got).toHaveLength(0);
  });
});
