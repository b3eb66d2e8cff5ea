import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertChange } from '../alerts/grouping.ts';

export type WebhookFormat = 'json' | 'slack';

export interface Notification {
  /** new: first time; repeat: still firing after the repeat interval; flapping: damped from now on. */
  reason: 'new' | 'repeat' | 'flapping';
  alert: AlertChange;
}

/** The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export const SIGNATURE_HEADER = 'x-msec-signature';

export function signBody(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** What a receiver does: recompute and compare in constant time, and refuse stale timestamps. */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const got = Buffer.from(m[2]!);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

function line(n: Notification): string {
  const a = n.alert;
  const mitre = a.technique ? ` [${a.technique}${a.tactic ? `/${a.tactic}` : ''}]` : '';
  const what = n.reason === 'flapping' ? 'FLAPPING (damped)' : n.reason === 'repeat' ? 'still firing' : 'new';
  return `${a.level.toUpperCase()} risk ${a.risk} ${what}: ${a.ruleTitle}${mitre} ${a.srcIp ?? '*'} -> ${a.dstIp ?? '*'} (${a.count} events, org ${a.org})`;
}

/** The request body of one grouped notification in the webhook's format. */
export function renderBody(format: WebhookFormat, group: Notification[], sentAt: number): string {
  if (format === 'slack') {
    const text = group.length === 1 ? `msec: ${line(group[0]!)}` : `msec: ${group.length} alerts`;
    return JSON.stringify({
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
        ...group.slice(0, 40).map((n) => ({ type: 'section', text: { type: 'mrkdwn', text: line(n) } })),
      ],
    });
  }
  return JSON.stringify({
    version: 1,
    sentAt: new Date(sentAt).toISOString(),
    notifications: group.map((n) => ({
      reason: n.reason,
      ...n.alert,
      firstSeen: new Date(n.alert.firstSeen).toISOString(),
      lastSeen: new Date(n.alert.lastSeen).toISOString(),
    })),
  });
}
