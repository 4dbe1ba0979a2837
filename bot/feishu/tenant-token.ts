import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';

/** Feishu hands out a new tenant token only when less than 30 minutes of the old one remain. */
const REFRESH_BEFORE_EXPIRY_MS = 30 * 60_000;

export interface FetchedToken {
  token: string;
  /** Lifetime in seconds, as the `expire` field of the token response. */
  expireSeconds: number;
}

/**
 * Caches the tenant access token. Concurrent callers share one fetch, and a token the platform
 * rejected is dropped once, so a burst of sends that all meet an expired token refreshes it once.
 */
export class TenantTokenCache {
  private current: { token: string; refreshAt: number; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<FetchedToken>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async get(): Promise<string> {
    if (this.current && this.clock.now().getTime() < this.current.refreshAt) {
      return this.current.token;
    }
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forgets `token` after the platform rejected it, unless a newer token replaced it already. */
  invalidate(token: string): void {
    if (this.current?.token === token) {
      this.current = undefined;
      this.log.info('Feishu rejected the tenant access token; fetching a new one');
    }
  }

  private async refresh(): Promise<string> {
    const startedAt = this.clock.now().getTime();
    try {
      const { token, expireSeconds } = await this.fetchToken();
      const lifetimeMs = expireSeconds * 1000;
      this.current = {
        token,
        refreshAt: startedAt + lifetimeMs - Math.min(REFRESH_BEFORE_EXPIRY_MS, lifetimeMs / 2),
        expiresAt: startedAt + lifetimeMs,
      };
      this.log.info({ expireSeconds }, 'Feishu tenant access token obtained');
      return token;
    } catch (error) {
      const previous = this.current;
      if (previous && this.clock.now().getTime() < previous.expiresAt) {
        this.log.warn({ err: error }, 'Feishu token refresh failed; using the current token');
        return previous.token;
      }
      throw error;
    }
  }
}
