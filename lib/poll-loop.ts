import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.js';

export interface PollLoopOptions {
  name: string;
  log: Logger;
  /** How long to wait between polls when there was nothing to do. */
  idleMs: number;
  /** Runs one unit of work; returns true when it did some, so the loop runs again at once. */
  tick: () => Promise<boolean>;
}

/**
 * Runs `tick` until stopped: again at once while there is work, otherwise after `idleMs` or
 * when woken. Errors are logged and the loop backs off, so one bad tick never stops it.
 */
export class PollLoop {
  private running = false;
  private wakeUp: AbortController | undefined;
  private done: Promise<void> | undefined;
  private consecutiveErrors = 0;

  constructor(private readonly options: PollLoopOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.run();
    this.options.log.info({ loop: this.options.name }, 'loop started');
  }

  /** Makes an idle loop poll now, for example right after new work was stored. */
  wake(): void {
    this.wakeUp?.abort();
  }

  /** Stops after the unit of work in progress, if any, finishes. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.done;
    this.options.log.info({ loop: this.options.name }, 'loop stopped');
  }

  private async run(): Promise<void> {
    while (this.running) {
      let didWork = false;
      try {
        didWork = await this.options.tick();
        this.consecutiveErrors = 0;
      } catch (error) {
        this.consecutiveErrors += 1;
        this.options.log.error(
          { err: error, loop: this.options.name, consecutiveErrors: this.consecutiveErrors },
          'loop tick failed',
        );
      }
      if (!this.running) break;
      if (didWork) continue;
      const backoff = Math.min(
        30_000,
        this.options.idleMs * 2 ** Math.min(this.consecutiveErrors, 6),
      );
      this.wakeUp = new AbortController();
      await sleep(backoff, undefined, { signal: this.wakeUp.signal }).catch(() => {});
    }
  }
}
