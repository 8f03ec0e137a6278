/**
 * Riding out an outage of Redis or MySQL: the operator log gets one line when a
 * service goes down and one when it is back (not one per attempt), and start-up waits
 * with backoff for a service instead of exiting.
 *
 * @module
 */

import { messageOf } from "../util/message.ts";
import { sleep } from "../util/sleep.ts";

/** One operator-log entry about a service's state. */
export interface OutageLogEntry {
  level: "warn" | "info";
  event: "outage";
  service: string;
  state: "down" | "up";
  message: string;
}

/** Which services are down, logged once per change of state. */
export interface OutageWatch {
  /** A failed attempt to reach `service`: logged when it was up until now. */
  down(service: string, error: unknown): void;
  /** `service` answered: logged when it was down. */
  up(service: string): void;
  /** The last error of `service` while it is down, else undefined. */
  problem(service: string): string | undefined;
}

/**
 * Tracks services' states for the log.
 *
 * @example
 * ```ts
 * const watch = outageWatch((entry) => console.log(JSON.stringify(entry)));
 * watch.down("mysql", new Error("connect ECONNREFUSED")); // logged
 * watch.down("mysql", new Error("connect ECONNREFUSED")); // not logged again
 * watch.up("mysql"); // logged: back after … s
 * ```
 */
export function outageWatch(log: (entry: OutageLogEntry) => void): OutageWatch {
  const downSince = new Map<string, { at: number; problem: string }>();
  return {
    down(service, error) {
      const problem = messageOf(error);
      const known = downSince.get(service);
      downSince.set(service, { at: known?.at ?? Date.now(), problem });
      if (known) return;
      log({
        level: "warn",
        event: "outage",
        service,
        state: "down",
        message: `${service} unreachable (${problem}); waiting for it, retrying with backoff`,
      });
    },
    up(service) {
      const known = downSince.get(service);
      if (!known) return;
      downSince.delete(service);
      const seconds = ((Date.now() - known.at) / 1000).toFixed(1);
      log({
        level: "info",
        event: "outage",
        service,
        state: "up",
        message: `${service} reachable again after ${seconds} s`,
      });
    },
    problem: (service) => downSince.get(service)?.problem,
  };
}

/** Options of {@linkcode untilUp}. */
export interface UntilUpOptions {
  watch: OutageWatch;
  /** Stops waiting (then `untilUp` returns undefined). */
  signal: AbortSignal;
  /** First delay between attempts (default 200 ms), doubled up to `maxMs` (default 5 s). */
  minMs?: number;
  maxMs?: number;
}

/**
 * Runs `attempt` until it succeeds, reporting each failure as `service` being down
 * and waiting with backoff in between; undefined when `signal` aborts first.
 *
 * @example
 * ```ts
 * const db = await untilUp("mysql", () => openDb(url), { watch, signal: quiet });
 * if (db === undefined) return 0; // asked to stop while MySQL was down
 * ```
 */
export async function untilUp<T>(
  service: string,
  attempt: () => Promise<T>,
  options: UntilUpOptions,
): Promise<T | undefined> {
  const maxMs = options.maxMs ?? 5000;
  let delay = options.minMs ?? 200;
  while (!options.signal.aborted) {
    try {
      const value = await attempt();
      options.watch.up(service);
      return value;
    } catch (error) {
      options.watch.down(service, error);
    }
    await sleep(delay, options.signal);
    delay = Math.min(delay * 2, maxMs);
  }
  return undefined;
}
