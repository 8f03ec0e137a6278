/**
 * The scheduled reconcile: a zone not fully reconciled with Route 53 for
 * `DNSAPI_FULL_SYNC_HOURS` is listed and diffed without waiting for a push, so a record
 * changed by hand in Route 53 is restored within one period.
 *
 * The worker loop's intake asks MySQL for the most overdue domain and queues a job of
 * its own for that zone (`reason: "reconcile"`) through the normal queue, so the user's
 * lock, lease and retries apply as for a push. Pacing: at most one reconcile per
 * {@linkcode reconcileIntervalMs} across all workers (a Redis key set with NX and an
 * expiry), so reconciles spend at most `DNSAPI_RECONCILE_SHARE` of the account's
 * Route 53 request rate and pushes keep the rest.
 *
 * @module
 */
import type { Redis } from "ioredis";
import type { Job } from "../job/contract.ts";
import type { Db } from "../db/mysql.ts";
import type { Queue } from "../queue/types.ts";
import type { UserSyncRequest } from "../sync/types.ts";

/** Route 53 calls one reconcile of a zone costs: a listing, and a change batch if drifted. */
export const CALLS_PER_RECONCILE = 2;

/**
 * The least time between two reconciles so that they use at most `share` of `rate`
 * Route 53 requests per second: `calls / (rate × share)` seconds, in ms. Infinity when
 * the share is 0 (scheduled reconciles off).
 *
 * @example
 * ```ts
 * reconcileIntervalMs(5, 0.2); // 2000: 2 calls at 1 call/s
 * ```
 */
export function reconcileIntervalMs(
  rate: number,
  share: number,
  calls = CALLS_PER_RECONCILE,
): number {
  if (!(rate > 0) || !(share > 0)) return Infinity;
  return Math.ceil((calls / (rate * share)) * 1000);
}

/** Takes `key` for `ms` if nobody holds it; true when taken. */
export type Claim = (key: string, ms: number) => Promise<boolean>;

/** A {@linkcode Claim} on Redis (`SET key 1 PX ms NX`), shared by every worker. */
export function redisClaim(redis: Redis): Claim {
  return async (key, ms) => await redis.set(key, "1", "PX", Math.max(1, ms), "NX") === "OK";
}

/** What {@linkcode reconcileScheduler} needs. */
export interface ReconcileDeps {
  db: Pick<Db, "overdueDomains">;
  queue: Pick<Queue, "enqueue">;
  claim: Claim;
  /** Redis key prefix (`DNSAPI_KEY_PREFIX`). */
  prefix: string;
  reposRoot: string;
  /** `DNSAPI_FULL_SYNC_HOURS`; 0 turns scheduled reconciles off. */
  fullSyncHours: number;
  /** From {@linkcode reconcileIntervalMs}. */
  intervalMs: number;
  log: (entry: Record<string, unknown>) => void;
  now?: () => Date;
}

/**
 * The intake step: at most once per interval (across workers), queues a reconcile job
 * for the most overdue domain. A domain queued is not queued again for one period, so a
 * zone whose reconcile keeps failing (a bad file) does not hold up the others. Returns
 * the job queued, or null.
 */
export function reconcileScheduler(deps: ReconcileDeps): () => Promise<Job | null> {
  const now = deps.now ?? (() => new Date());
  const periodMs = deps.fullSyncHours * 3600_000;
  let nextAt = 0;
  return async () => {
    if (!(periodMs > 0) || !Number.isFinite(deps.intervalMs)) return null;
    const at = now();
    if (at.getTime() < nextAt) return null;
    nextAt = at.getTime() + deps.intervalMs;
    if (!await deps.claim(`${deps.prefix}reconcile:pace`, deps.intervalMs)) return null;
    const overdue = await deps.db.overdueDomains(new Date(at.getTime() - periodMs), 10);
    for (const domain of overdue) {
      if (!await deps.claim(`${deps.prefix}reconcile:zone:${domain.name}`, periodMs)) continue;
      const job: Job = {
        uuid: crypto.randomUUID(),
        user: domain.owner,
        repo: `${deps.reposRoot.replace(/\/+$/, "")}/${domain.owner}`,
        queuedAt: at.toISOString(),
        reason: "reconcile",
        zone: domain.name,
      };
      await deps.queue.enqueue(job);
      deps.log({
        level: "info",
        event: "reconcile",
        user: job.user,
        uuid: job.uuid,
        zone: domain.name,
        lastFullSyncAt: domain.lastFullSyncAt?.toISOString() ?? null,
      });
      return job;
    }
    return null;
  };
}

/**
 * What a reservation asks of the sync besides its pushes: the zones of its reconcile
 * jobs, reconciled fully, and (when no push is among them) nothing else.
 */
export function reconcileRequest(
  jobs: readonly Pick<Job, "reason" | "zone">[],
): UserSyncRequest["reconcile"] {
  const zones = jobs.flatMap((j) => j.reason === "reconcile" && j.zone ? [j.zone] : []);
  if (zones.length === 0) return undefined;
  return { zones, only: jobs.every((j) => j.reason === "reconcile") };
}
