/**
 * The worker's operator endpoint: `GET /metrics` (Prometheus text format) and
 * `GET /healthz` (JSON, 200 when every check passes, 503 otherwise).
 *
 * @example
 * ```ts
 * import { createDnsApiRegistry } from "./metrics.ts";
 * import { startMetricsServer } from "./metrics_server.ts";
 * const server = startMetricsServer({
 *   port: 9464,
 *   registry: createDnsApiRegistry(),
 *   health: () => Promise.resolve({ ok: true, checks: {} }),
 * });
 * await server.close();
 * ```
 *
 * @module
 */

import { type Registry, renderMetrics } from "./metrics.ts";
import { messageOf } from "../util/message.ts";

/** Result of one health check. */
export interface HealthCheck {
  /** Whether this dependency is usable. */
  ok: boolean;
  /** What failed, for an operator (never a credential). */
  detail?: string;
}

/** What `/healthz` reports: overall state and each named check. */
export interface HealthReport {
  /** True when the worker can do its job. */
  ok: boolean;
  /** Checks by name, e.g. `redis`, `mysql`, `schema`. */
  checks: Record<string, HealthCheck>;
}

/** Options of {@linkcode startMetricsServer}. */
export interface MetricsServerOptions {
  /** TCP port; 0 picks a free one (see the returned `port`). */
  port: number;
  /** Address to bind; defaults to 127.0.0.1 so nothing is exposed by accident. */
  hostname?: string;
  /** The registry rendered on each scrape. */
  registry: Registry;
  /** Runs the health checks; a throw or a slow answer counts as unhealthy. */
  health: () => Promise<HealthReport>;
  /** Refreshes sampled gauges (e.g. queue depth) before a scrape; a throw is ignored. */
  beforeScrape?: () => Promise<void>;
  /** Longest wait for `health` or `beforeScrape`, in ms (default 5000). */
  timeoutMs?: number;
}

/** A running metrics server. */
export interface MetricsServer {
  /** The port actually bound. */
  port: number;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

/** Content type of the Prometheus text exposition format. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the health checks and turns a throw or timeout into an unhealthy report, so
 * `/healthz` always answers with JSON. Overall `ok` also requires every check to pass.
 */
export async function evaluateHealth(
  health: () => Promise<HealthReport>,
  timeoutMs: number,
): Promise<HealthReport> {
  try {
    const report = await withTimeout(health(), timeoutMs, "health check");
    const allPass = Object.values(report.checks).every((c) => c.ok);
    return { ok: report.ok && allPass, checks: report.checks };
  } catch (error) {
    const detail = messageOf(error);
    return { ok: false, checks: { health: { ok: false, detail } } };
  }
}

/**
 * The `loop` check: healthy while the worker loop last showed life (an iteration, or a
 * lease renewal of the job in hand) less than `staleMs` ago. A loop stuck in one call
 * answers nothing else, so only this check can tell.
 *
 * @example
 * ```ts
 * loopCheck(1_000, 5_000, 90_000); // { ok: true }
 * loopCheck(1_000, 100_000, 90_000).ok; // false
 * ```
 */
export function loopCheck(lastTickMs: number, nowMs: number, staleMs: number): HealthCheck {
  const idleMs = Math.max(0, nowMs - lastTickMs);
  if (idleMs < staleMs) return { ok: true };
  return {
    ok: false,
    detail: `the worker loop has not ticked for ${Math.round(idleMs / 1000)} s ` +
      `(limit ${Math.round(staleMs / 1000)} s): it is stuck; restart the worker`,
  };
}

/**
 * Builds a `health` function from named checks run in parallel: a check that throws
 * counts as failed with its message as `detail`; overall `ok` needs every check.
 *
 * @example
 * ```ts
 * const health = combineHealthChecks({
 *   redis: async () => ({ ok: (await ping()) === "PONG" }),
 *   schema: async () => ({ ok: true }),
 * });
 * ```
 */
export function combineHealthChecks(
  checks: Record<string, () => Promise<HealthCheck>>,
): () => Promise<HealthReport> {
  return async () => {
    const entries = await Promise.all(
      Object.entries(checks).map(async ([name, check]): Promise<[string, HealthCheck]> => {
        try {
          return [name, await check()];
        } catch (error) {
          return [name, {
            ok: false,
            detail: messageOf(error),
          }];
        }
      }),
    );
    const results = Object.fromEntries(entries);
    return { ok: entries.every(([, c]) => c.ok), checks: results };
  };
}

/** Starts the server; the socket is bound when this returns (so `port` is known). */
export function startMetricsServer(options: MetricsServerOptions): MetricsServer {
  const timeoutMs = options.timeoutMs ?? 5000;
  const handler = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname !== "/metrics" && pathname !== "/healthz") {
      return new Response("not found\n", { status: 404 });
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { allow: "GET" } });
    }
    if (pathname === "/metrics") {
      if (options.beforeScrape) {
        // A failing sampler must not hide the counters that are still valid.
        await withTimeout(options.beforeScrape(), timeoutMs, "metrics sampling").catch(() => {});
      }
      return new Response(renderMetrics(options.registry), {
        headers: { "content-type": METRICS_CONTENT_TYPE },
      });
    }
    const report = await evaluateHealth(options.health, timeoutMs);
    return new Response(JSON.stringify(report) + "\n", {
      status: report.ok ? 200 : 503,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    });
  };
  const server = Deno.serve({
    port: options.port,
    hostname: options.hostname ?? "127.0.0.1",
    // Deno prints "Listening on …" by default; the worker's stdout is JSON log lines.
    onListen: () => {},
  }, handler);
  return {
    port: server.addr.port,
    close: () => server.shutdown(),
  };
}
