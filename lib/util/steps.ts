/**
 * Long synchronous work written as a generator that `yield`s now and then (a parse
 * checking every few hundred lines), run either at once or giving the event loop a
 * turn between slices, so timers (lease heartbeats) and signals (SIGTERM) are served
 * while it runs.
 *
 * @module
 */

/** Runs `steps` to its end without pausing; returns its result. */
export function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs `steps` to its end, giving the event loop a turn (a zero timer) whenever a slice
 * has taken `sliceMs` or more; returns its result.
 *
 * @example
 * ```ts
 * const result = await drainYielding(zoneSteps(text, { zone: "shop.test" }));
 * ```
 */
export async function drainYielding<T>(steps: Generator<void, T>, sliceMs = 20): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      sliceStart = performance.now();
    }
  }
}
