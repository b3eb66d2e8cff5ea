import { newId, type Clock, type Logger } from '../../core/index.ts';
import { PLATFORM_ORG } from '../../iam/index.ts';
import { groupKey, type AlertChange } from '../alerts/grouping.ts';
import { renderBody, signBody, SIGNATURE_HEADER, type Notification, type WebhookFormat } from './payload.ts';

export interface Webhook {
  id: string;
  org: string;
  url: string;
  format: WebhookFormat;
  secret: string;
  /** Alerts below this severity (1 informational .. 5 critical) are not sent. */
  minSeverity: number;
  /** A still-firing alert is sent again at most this often. */
  repeatMs: number;
}

export interface NotifierOptions {
  /** Changes arriving within this window go out as one request per webhook. */
  groupWaitMs?: number;
  /** Re-created alerts of one group within this window count as flaps. */
  flapWindowMs?: number;
  /** Flaps in the window beyond which the group is damped (one "flapping" notice, then silence). */
  flapThreshold?: number;
  maxAttempts?: number;
  /** First retry delay; doubles each attempt (with jitter). */
  retryBaseMs?: number;
  timeoutMs?: number;
}

interface GroupState {
  lastSent: number;
  alertId: string;
  creations: number[];
  damped: boolean;
}

export interface DeliveryStats {
  sent: number;
  failed: number;
  retried: number;
  damped: number;
}

/**
 * Webhook notifications with Alertmanager-like behaviour: grouped per short window, a repeat
 * interval for alerts that keep firing, flap damping for groups that close and reopen, retried
 * with exponential backoff and signed with HMAC-SHA256 (see payload.ts). State is in memory.
 */
export class Notifier {
  readonly stats: DeliveryStats = { sent: 0, failed: 0, retried: 0, damped: 0 };
  private readonly opts: Required<NotifierOptions>;
  private readonly groups = new Map<string, GroupState>();
  private readonly pending = new Map<string, { hook: Webhook; items: Notification[] }>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly inflight = new Set<Promise<void>>();
  private flushTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly hooks: () => Webhook[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    opts: NotifierOptions = {},
  ) {
    this.opts = {
      groupWaitMs: 2000,
      flapWindowMs: 3_600_000,
      flapThreshold: 3,
      maxAttempts: 5,
      retryBaseMs: 1000,
      timeoutMs: 10_000,
      ...opts,
    };
  }

  /** Called with each batch's alert changes; decides what to send and when. */
  offer(changes: AlertChange[]): void {
    if (this.stopped) return;
    const now = this.clock.now();
    for (const hook of this.hooks()) {
      for (const a of changes) {
        if (a.severity < hook.minSeverity) continue;
        if (hook.org !== PLATFORM_ORG && hook.org !== a.org) continue;
        const reason = this.decide(hook, a, now);
        if (!reason) continue;
        const p = this.pending.get(hook.id) ?? { hook, items: [] };
        p.items = p.items.filter((n) => n.alert.id !== a.id);
        p.items.push({ reason, alert: a });
        this.pending.set(hook.id, p);
      }
    }
    if (this.pending.size > 0 && !this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.flush();
      }, this.opts.groupWaitMs);
    }
  }

  private decide(hook: Webhook, a: AlertChange, now: number): Notification['reason'] | undefined {
    const key = `${hook.id}\u0000${a.org}\u0000${groupKey(a)}`;
    const g = this.groups.get(key);
    if (!g) {
      this.groups.set(key, { lastSent: now, alertId: a.id, creations: [now], damped: false });
      return 'new';
    }
    if (a.created || g.alertId !== a.id) {
      // The group's alert was closed and a new one opened: a flap unless it stays quiet.
      g.alertId = a.id;
      g.creations = [...g.creations.filter((t) => now - t < this.opts.flapWindowMs), now];
      if (g.creations.length > this.opts.flapThreshold) {
        if (g.damped) {
          this.stats.damped++;
          return undefined;
        }
        g.damped = true;
        g.lastSent = now;
        return 'flapping';
      }
      g.damped = false;
      g.lastSent = now;
      return 'new';
    }
    if (g.damped || now - g.lastSent < hook.repeatMs) return undefined;
    g.lastSent = now;
    return 'repeat';
  }

  /** Sends what is pending now (tests and shutdown call it directly). */
  flush(): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      const job = this.deliver(p.hook, p.items, 1).finally(() => this.inflight.delete(job));
      this.inflight.add(job);
    }
  }

  private async deliver(hook: Webhook, items: Notification[], attempt: number): Promise<void> {
    const body = renderBody(hook.format, items, this.clock.now());
    const signature = signBody(hook.secret, body, Math.floor(Date.now() / 1000));
    let retryable = true;
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signature,
          'x-msec-delivery': newId('dl'),
          'x-msec-attempt': String(attempt),
          'user-agent': 'msec-monitor',
        },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        this.stats.sent++;
        return;
      }
      retryable = res.status >= 500 || res.status === 429 || res.status === 408;
      this.logger.warn({ webhook: hook.id, status: res.status, attempt }, 'webhook refused the notification');
    } catch (err) {
      this.logger.warn({ webhook: hook.id, err: (err as Error).message, attempt }, 'webhook delivery failed');
    }
    if (!retryable || attempt >= this.opts.maxAttempts || this.stopped) {
      this.stats.failed++;
      return;
    }
    this.stats.retried++;
    const delay = this.opts.retryBaseMs * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4);
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, delay);
      this.timers.set(t, resolve);
    });
    if (!this.stopped) await this.deliver(hook, items, attempt + 1);
    else this.stats.failed++;
  }

  /** Sends what is pending, waits for deliveries in flight (bounded), cancels retries. */
  async stop(waitMs = 5000): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flush();
    this.stopped = true;
    for (const [t, wake] of this.timers) {
      clearTimeout(t);
      wake();
    }
    this.timers.clear();
    await Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => setTimeout(r, waitMs).unref())]);
  }
}
