/**
 * Per-address limits on the MQTT listener: new connections per window (flood) and failed
 * CONNECTs per window (password guessing); an address over either is refused until it cools down.
 */
export interface ThrottleLimits {
  connectionsPerWindow: number;
  failedConnectsPerWindow: number;
  windowMs: number;
  blockMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = {
  connectionsPerWindow: 200,
  failedConnectsPerWindow: 10,
  windowMs: 10_000,
  blockMs: 60_000,
};

interface Counter {
  windowStart: number;
  connections: number;
  failures: number;
  blockedUntil: number;
}

export class ConnectThrottle {
  private readonly byAddress = new Map<string, Counter>();

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number,
  ) {}

  private counter(address: string): Counter {
    const t = this.now();
    let c = this.byAddress.get(address);
    if (!c || t - c.windowStart >= this.limits.windowMs) {
      c = { windowStart: t, connections: 0, failures: 0, blockedUntil: c?.blockedUntil ?? 0 };
      this.byAddress.set(address, c);
      if (this.byAddress.size > 100_000) this.prune(t);
    }
    return c;
  }

  /** Records a new connection; false when the address is blocked or floods. */
  connection(address: string): boolean {
    const c = this.counter(address);
    if (c.blockedUntil > this.now()) return false;
    c.connections++;
    return c.connections <= this.limits.connectionsPerWindow;
  }

  isBlocked(address: string): boolean {
    return (this.byAddress.get(address)?.blockedUntil ?? 0) > this.now();
  }

  /** Records a failed CONNECT; returns true when this failure blocks the address. */
  failure(address: string): boolean {
    const c = this.counter(address);
    c.failures++;
    if (c.failures >= this.limits.failedConnectsPerWindow && c.blockedUntil <= this.now()) {
      c.blockedUntil = this.now() + this.limits.blockMs;
      return true;
    }
    return false;
  }

  private prune(t: number): void {
    for (const [a, c] of this.byAddress)
      if (t - c.windowStart >= this.limits.windowMs && c.blockedUntil <= t) this.byAddress.delete(a);
  }
}
