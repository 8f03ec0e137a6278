/**
 * One Route 53 request budget for every worker: a token bucket kept in Redis and
 * updated by a Lua script, so taking a token is atomic across processes and hosts.
 * Route 53 allows an account 10 requests/s with a burst of 50 (since July 2026); the
 * bucket defaults to the same so workers slow down before Route 53 throttles them.
 *
 * @example
 * ```ts
 * const limiter = redisRateLimiter(redis, "dnsapi:");
 * await limiter.take(); // resolves when this process may send one request
 * ```
 *
 * @module
 */

import { sleep as wait } from "../util/sleep.ts";

/** The one Redis command the limiter needs (ioredis's `eval` has this shape). */
export interface RedisEval {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Something that says when a request may be sent. */
export interface RateLimiter {
  /** Resolves once a token was taken. */
  take(): Promise<void>;
}

/** A limiter that never waits: for tests and tools that talk to the local server. */
export const UNLIMITED: RateLimiter = { take: () => Promise.resolve() };

/** Bucket settings. */
export interface RateLimitOptions {
  /** Tokens added per second. Default 10. */
  ratePerSecond?: number;
  /** Bucket size: requests that may go at once after a quiet spell. Default 50. */
  burst?: number;
  /** Key under the prefix. Default `route53:bucket`. */
  key?: string;
}

/** Route 53's account-wide request budget. */
export const ROUTE53_RATE: Required<RateLimitOptions> = {
  ratePerSecond: 10,
  burst: 50,
  key: "route53:bucket",
};

/**
 * Refill by elapsed time, then take the tokens or say how long to wait. The clock is
 * Redis's own TIME, so workers on hosts with skewed clocks share one timeline. The key
 * expires once a full bucket would have refilled, so an idle system leaves no state.
 * Returns 0 when taken, otherwise the milliseconds until enough tokens exist.
 */
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
  ts = now
end
local wait = 0
if tokens >= want then
  tokens = tokens - want
else
  wait = math.ceil((want - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return wait
`;

/** A Redis-backed limiter with a way to ask without waiting. */
export interface RedisRateLimiter extends RateLimiter {
  /** Takes a token if one is there; returns 0, or the ms to wait before asking again. */
  tryTake(): Promise<number>;
}

/**
 * A token bucket shared through Redis under `prefix` (e.g. `dnsapi:`). The client is
 * the caller's: the limiter never connects or closes anything.
 */
export function redisRateLimiter(
  redis: RedisEval,
  prefix: string,
  options: RateLimitOptions = {},
  sleep: (ms: number) => Promise<void> = wait,
): RedisRateLimiter {
  const { ratePerSecond, burst, key } = { ...ROUTE53_RATE, ...options };
  if (!(ratePerSecond > 0) || !(burst >= 1)) {
    throw new RangeError(
      `Cannot create rate limiter: rate ${ratePerSecond}/s and burst ${burst} must be positive`,
    );
  }
  const bucket = `${prefix}${key}`;
  const tryTake = async (): Promise<number> => {
    const wait = await redis.eval(TAKE_SCRIPT, 1, bucket, ratePerSecond, burst, 1);
    if (typeof wait !== "number") {
      throw new TypeError(`Cannot take a rate-limit token: Redis answered ${String(wait)}`);
    }
    return wait;
  };
  return {
    tryTake,
    async take() {
      for (;;) {
        const wait = await tryTake();
        if (wait <= 0) return;
        await sleep(wait);
      }
    },
  };
}
