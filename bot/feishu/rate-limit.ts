/** A limit of `max` calls in any window of `windowMs`, for one key such as a recipient. */
export interface Limit {
  key: string;
  max: number;
  windowMs: number;
}

/**
 * Sliding-window rate limits kept in this process. `reserve` takes a slot under every given
 * limit at once, or takes none and returns how long to wait.
 *
 * NOTE: each Pulse instance counts only its own calls, so N instances can reach N times a
 * platform limit; the platform then returns 429 and the sender defers the message.
 */
export class RateLimiter {
  private readonly calls = new Map<string, number[]>();
  private reservations = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Takes a slot under each limit and returns 0, or returns the milliseconds until one frees. */
  reserve(limits: readonly Limit[]): number {
    const now = this.now();
    let waitMs = 0;
    for (const limit of limits) {
      const recent = this.recent(limit, now);
      if (recent.length >= limit.max) {
        const oldest = recent[recent.length - limit.max] as number;
        waitMs = Math.max(waitMs, Math.ceil(oldest + limit.windowMs - now));
      }
    }
    if (waitMs > 0) return waitMs;
    for (const limit of limits) this.recent(limit, now).push(now);
    this.reservations += 1;
    if (this.reservations % 1000 === 0) this.forgetIdle(now, limits);
    return 0;
  }

  /** Drops keys, such as recipients, with no call in the last minute, so the map stays small. */
  private forgetIdle(now: number, current: readonly Limit[]): void {
    const keep = new Set(current.map((limit) => limit.key));
    for (const [key, list] of this.calls) {
      const last = list[list.length - 1];
      if (!keep.has(key) && (last === undefined || last < now - 60_000)) this.calls.delete(key);
    }
  }

  /** Returns the calls of one key still inside its window, pruned in place. */
  private recent(limit: Limit, now: number): number[] {
    let list = this.calls.get(limit.key);
    if (!list) {
      list = [];
      this.calls.set(limit.key, list);
    }
    const first = list.findIndex((time) => time > now - limit.windowMs);
    if (first === -1) list.length = 0;
    else if (first > 0) list.splice(0, first);
    return list;
  }
}
