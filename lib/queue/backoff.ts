/**
 * Retry delays for the job queue: a pure function of the attempt number, so the
 * schedule is testable and the same on every worker.
 *
 * @module
 */

/** Exponential backoff settings. */
export interface BackoffOptions {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /**
   * Fraction of the delay to spread randomly (0 to 1, default 0), so that many users
   * failing together (Route 53 throttling) do not retry in lock-step.
   */
  jitter?: number;
}

/**
 * The delay before retrying after failed attempt `attempt` (1-based):
 * `baseMs · 2^(attempt-1)`, capped at `maxMs`, minus up to `jitter` of it scaled by
 * `random` (a number in [0, 1), passed in to keep the function pure).
 *
 * @example
 * ```ts
 * backoffMs(1, { baseMs: 5000, maxMs: 300000 }); // 5000
 * backoffMs(3, { baseMs: 5000, maxMs: 300000 }); // 20000
 * backoffMs(10, { baseMs: 5000, maxMs: 300000 }); // 300000
 * ```
 */
export function backoffMs(attempt: number, options: BackoffOptions, random = 0): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const delay = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(exponent, 52));
  const spread = Math.min(1, Math.max(0, options.jitter ?? 0)) * delay;
  return Math.round(delay - spread * random);
}
