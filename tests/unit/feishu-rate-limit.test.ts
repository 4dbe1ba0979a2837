import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../bot/feishu/rate-limit.js';

describe('rate limiter', () => {
  it('lets calls through up to the limit', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limits = [{ key: 'user:a', max: 5, windowMs: 1000 }];
    for (let i = 0; i < 5; i++) expect(limiter.reserve(limits)).toBe(0);
    now = 200;
    expect(limiter.reserve(limits)).toBe(800);
  });

  it('frees a slot when the window slides', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limits = [{ key: 'user:a', max: 2, windowMs: 1000 }];
    limiter.reserve(limits);
    now = 500;
    limiter.reserve(limits);
    now = 1001;
    expect(limiter.reserve(limits)).toBe(0);
    expect(limiter.reserve(limits)).toBe(499);
  });

  it('takes no slot when any limit is full', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const app = { key: 'app', max: 3, windowMs: 1000 };
    limiter.reserve([app, { key: 'user:a', max: 1, windowMs: 1000 }]);
    expect(limiter.reserve([app, { key: 'user:a', max: 1, windowMs: 1000 }])).toBe(1000);
    // The refused call took no app slot, so two more users still fit.
    expect(limiter.reserve([app, { key: 'user:b', max: 1, windowMs: 1000 }])).toBe(0);
    expect(limiter.reserve([app, { key: 'user:c', max: 1, windowMs: 1000 }])).toBe(0);
    expect(limiter.reserve([app, { key: 'user:d', max: 1, windowMs: 1000 }])).toBeGreaterThan(0);
    now = 1000;
    expect(limiter.reserve([app, { key: 'user:d', max: 1, windowMs: 1000 }])).toBe(0);
  });

  it('keeps separate keys apart', () => {
    const limiter = new RateLimiter(() => 0);
    expect(limiter.reserve([{ key: 'user:a', max: 1, windowMs: 1000 }])).toBe(0);
    expect(limiter.reserve([{ key: 'user:b', max: 1, windowMs: 1000 }])).toBe(0);
  });
});
