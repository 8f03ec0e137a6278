/**
 * Resolves after `ms` milliseconds, or at once when `signal` aborts (never rejects:
 * callers look at the signal to learn why they woke).
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * await sleep(100, stop.signal);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
