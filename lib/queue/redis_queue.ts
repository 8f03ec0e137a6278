/**
 * The worker side of the job queue on Redis.
 *
 * Protocol: lists and leases keyed by *user*, not Redis Streams. The unit of work is
 * "bring this user's DNS up to their repository's latest state", so the queue
 * reserves a user, not a message: that gives coalescing (one sync finishes every
 * uuid pending at reservation time), per-user exclusion and per-user round-robin in
 * one structure. Streams would deliver messages one by one to any consumer, so two
 * pushes of one user could be claimed by two workers and would need a second layer
 * (lock + merge) on top; XAUTOCLAIM's lease is per message, not per user.
 *
 * Keys (prefix `dnsapi:` by default; names in lib/job/contract.ts `queueKeys`):
 * - the hook stores `job:<uuid>` (HASH json, state), appends the uuid to
 *   `pending:<user>` and adds the user to the ZSET `ready` (score = ready time, NX);
 * - `reserve` picks the due user with the lowest score whose `lock:<user>` is free,
 *   sets the lock (random token, PX lease), moves pending uuids to `inflight:<user>`,
 *   records the lease deadline in the ZSET `leases` and counts the attempt in
 *   `attempts`; uuids pushed during the sync wait in `pending:<user>`, so a burst
 *   costs at most two syncs;
 * - `heartbeat` renews lock and lease; a lease that runs out (worker died) is taken
 *   over by the next `reserve`, with the inflight uuids intact (at-least-once);
 * - `complete`/`fail`/`retryLater` run only while the token still holds the lock, and
 *   put the user back at the *end* of `ready` when more uuids wait (round-robin, so a
 *   busy customer does not starve others); retries are delayed by
 *   {@linkcode backoffMs}; after `maxAttempts` the uuids go to the `dead` list;
 * - invalid payloads (not JSON, wrong shape, repo not `REPOS_ROOT/<user>`) go to the
 *   `invalid` list with the reason;
 * - the legacy key `HOOK:JOBS` (a list from the original hook and webhook receiver, a
 *   set from the seed's hook; TYPE decides) is read before each reservation, as exact
 *   bytes; each payload is removed in the same atomic step that queues it or sets it
 *   aside, so none is lost; one reusing a job id already queued, running or finished
 *   is set aside;
 * - idle workers block on the LIST `wake` (BLPOP, on a connection of their own) until
 *   an enqueue or a FINISH pushes a token, the next retry or lease deadline comes due,
 *   or `pollMs` passes (the safety net, and the pace for legacy payloads, which come
 *   without a token); after a Redis restart the blocking connection reconnects and
 *   the ready set is read again before blocking;
 * - results for the hook: `result:<uuid>` (STRING) and `done:<uuid>` (LIST the hook
 *   BLPOPs), both with an expiry.
 *
 * @module
 */

import type { Redis } from "ioredis";
import { type JobResult, parseJobResult } from "../job/contract.ts";
import {
  DEFAULT_PREFIX,
  ENQUEUE_SCRIPT,
  enqueueArgs,
  LEGACY_JOBS_KEY,
  queueKeys,
} from "../job/keys.ts";
import { parseJob } from "./job_schema.ts";
import { clipPayload, legacyIntake } from "./legacy.ts";
import {
  FINISH,
  HEARTBEAT,
  NEXT_DUE,
  RESERVE,
  RETRY_DEAD,
  SET_ASIDE,
  STATS,
  stringList,
} from "./lua.ts";
import { backoffMs } from "./backoff.ts";
import { messageOf } from "../util/message.ts";
import { sleep } from "../util/sleep.ts";
import { UnrecoverableError } from "../errors.ts";

export { backoffMs, type BackoffOptions } from "./backoff.ts";
import type { Queue, QueueOptions, QueueStats, Reservation, RetryOutcome } from "./types.ts";

/**
 * The note a job's log carries about the sync that covered it.
 *
 * @example
 * ```ts
 * coverNote(reservation, reservation.uuids[0]!); // "covered by the sync of job <syncId> …"
 * ```
 */
export function coverNote(reservation: Reservation, uuid: string): string {
  const n = reservation.uuids.length;
  if (uuid === reservation.syncId) {
    return n === 1 ? "synced by this job" : `this sync covered ${n} pushes`;
  }
  return `covered by the sync of job ${reservation.syncId} (${n} pushes in one sync)`;
}

/**
 * Creates the queue over an ioredis client (which the caller owns and closes).
 *
 * @example
 * ```ts
 * const queue = createQueue(new Redis(config.redisUrl), { reposRoot: config.reposRoot });
 * const r = await queue.reserve("worker-1", 1000);
 * if (r) await queue.complete(r, { lines: ["shop.test: +3 ~1 -2"] });
 * ```
 */
export function createQueue(redis: Redis, options: QueueOptions): Queue {
  const keys = queueKeys(options.prefix ?? DEFAULT_PREFIX);
  const p = keys.prefix;
  const legacyKey = options.legacyKey ?? LEGACY_JOBS_KEY;
  const leaseMs = options.leaseMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoff ?? { baseMs: 5_000, maxMs: 300_000, jitter: 0.2 };
  const maxBatch = options.maxBatch ?? 1000;
  const pollMs = options.pollMs ?? 100;
  const resultTtl = options.resultTtlSeconds ?? 3600;
  const log = options.log ?? (() => {});

  const evalScript = (script: string, keyList: string[], args: (string | number)[]) =>
    redis.eval(script, keyList.length, ...keyList, ...args);

  const finish = async (
    r: Reservation,
    mode: "done" | "fail" | "retry" | "requeue",
    delayMs = 0,
    dead: string[] = [],
  ): Promise<boolean> => {
    const ok = await evalScript(FINISH, [], [p, r.user, r.token, mode, delayMs, ...dead]) === 1;
    if (!ok) {
      log({
        level: "warn",
        event: "lost",
        user: r.user,
        message: `Cannot ${mode} sync ${r.syncId}: the lock on ${r.user} was lost (lease expired)`,
      });
    }
    return ok;
  };

  const publishMany = async (results: JobResult[]): Promise<void> => {
    const tx = redis.multi();
    for (const result of results) {
      const json = JSON.stringify(result);
      tx.set(keys.result(result.uuid), json, "EX", resultTtl);
      tx.del(keys.done(result.uuid));
      tx.rpush(keys.done(result.uuid), json);
      // The hook waits at most 120 s; the list only has to outlive that.
      tx.expire(keys.done(result.uuid), Math.min(resultTtl, 300));
    }
    await tx.exec();
  };

  const fail = async (r: Reservation, reason: string, lines?: string[]): Promise<boolean> => {
    const failedAt = new Date().toISOString();
    const dead = r.jobs.map((job) =>
      JSON.stringify({ uuid: job.uuid, user: r.user, reason, attempts: r.attempt, failedAt, job })
    );
    if (!await finish(r, "fail", 0, dead)) return false;
    log({ level: "warn", event: "dead", user: r.user, uuid: r.syncId, message: reason });
    await publishMany(r.uuids.map((uuid) => ({
      uuid,
      status: "failed",
      lines: lines ?? [reason],
      coveredBy: r.syncId,
    })));
    return true;
  };

  const retryLater = async (r: Reservation, reason: string): Promise<RetryOutcome> => {
    if (r.attempt >= maxAttempts) {
      const ok = await fail(r, `gave up after ${r.attempt} attempts: ${reason}`);
      return ok ? { kind: "failed" } : { kind: "lost" };
    }
    const delayMs = backoffMs(r.attempt, backoff, Math.random());
    if (!await finish(r, "retry", delayMs)) return { kind: "lost" };
    log({
      level: "info",
      event: "retry",
      user: r.user,
      uuid: r.syncId,
      message: `attempt ${r.attempt} failed (${reason}); retrying in ${delayMs} ms`,
    });
    return { kind: "retry", delayMs };
  };

  /** One reservation attempt: validates the jobs, sets invalid ones aside. */
  const tryReserve = async (workerId: string): Promise<Reservation | null> => {
    for (;;) {
      const token = crypto.randomUUID();
      const reply = await evalScript(RESERVE, [], [p, token, leaseMs, maxBatch, 256, workerId]);
      if (!Array.isArray(reply)) return null;
      const [user, attempt, uuids, jsons] = reply;
      const ids = stringList(uuids);
      const raws = stringList(jsons);
      if (typeof user !== "string" || typeof attempt !== "number" || !ids || !raws) {
        throw new TypeError("Cannot reserve: unexpected reply from the RESERVE script");
      }
      const r: Reservation = { user, token, workerId, attempt, jobs: [], uuids: [], syncId: "" };
      for (const [i, uuid] of ids.entries()) {
        const raw = raws[i] ?? "";
        const parsed = raw === "" ? { ok: false as const, reason: "job data missing" } : parseJob(
          raw,
          options.reposRoot,
        );
        const reason = !parsed.ok
          ? parsed.reason
          : parsed.job.uuid !== uuid || parsed.job.user !== user
          ? `job ${parsed.job.uuid} of ${parsed.job.user} was queued as ${uuid} of ${user}`
          : undefined;
        if (parsed.ok && reason === undefined) {
          r.jobs.push(parsed.job);
          r.uuids.push(uuid);
          continue;
        }
        const entry = { uuid, user, reason, raw: clipPayload(raw), at: new Date().toISOString() };
        await evalScript(SET_ASIDE, [], [p, user, token, uuid, JSON.stringify(entry)]);
        log({ level: "warn", event: "invalid", user, uuid, message: `set aside: ${reason}` });
        // A final status for the uuid, so a waiting hook (and `logs`) is not left guessing.
        await publishMany([{ uuid, status: "failed", lines: [`job refused: ${reason}`] }]);
      }
      r.syncId = r.uuids[r.uuids.length - 1] ?? "";
      if (r.jobs.length === 0) {
        await finish(r, "done");
        continue;
      }
      if (attempt > maxAttempts) {
        // Only lost workers push the count past the limit (retryLater stops at it):
        // a job that kills its worker every time must not circle forever.
        await fail(r, `gave up after ${attempt - 1} attempts: the worker stopped mid-sync`);
        continue;
      }
      return r;
    }
  };

  const intakeLegacy = legacyIntake(redis, {
    legacyKey,
    prefix: p,
    reposRoot: options.reposRoot,
    log,
    userExists: options.userExists,
    jobKnown: options.jobKnown,
    remoteOf: options.remoteOf,
    async refused(uuid, reason) {
      // A payload may name any uuid: never overwrite the status of a job that exists.
      if (await redis.exists(keys.job(uuid), keys.result(uuid)) > 0) return;
      if (await options.jobKnown?.(uuid)) return;
      await publishMany([{ uuid, status: "failed", lines: [`job refused: ${reason}`] }]);
    },
  });

  // A blocked connection can run nothing else: the wait for a wake-up token has its own,
  // made on first use, dropped when the caller's client ends or a wait is aborted.
  let blocker: Redis | undefined;
  const dropBlocker = () => {
    blocker?.disconnect();
    blocker = undefined;
  };
  redis.once("end", dropBlocker);

  /** Blocks until a wake-up token, `ms` or `signal`; true when a token came. */
  const waitForWake = async (ms: number, signal?: AbortSignal): Promise<boolean> => {
    if (signal?.aborted) return false;
    if (!blocker) {
      blocker = redis.duplicate();
      // The same outage reaches the caller through the caller's client and through the
      // BLPOP's rejection; without a listener ioredis would print each reconnect attempt.
      blocker.on("error", () => {});
    }
    const conn = blocker;
    const onAbort = () => {
      if (blocker === conn) dropBlocker();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      // BLPOP takes seconds (decimals allowed); 0 would mean "forever".
      return await conn.blpop(keys.wake, Math.max(ms, 1) / 1000) !== null;
    } catch (error) {
      if (signal?.aborted) return false;
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  };

  /** How long an idle reserve may block: until the next due time, at most `left`/`pollMs`. */
  const idleWaitMs = async (left: number): Promise<number> => {
    const due = Number(await evalScript(NEXT_DUE, [], [p]));
    // A lease at its deadline while its lock lives a moment longer: look again shortly.
    return Math.min(pollMs, left, due < 0 ? Infinity : Math.max(due, 5));
  };

  const recent = async (key: string, limit: number): Promise<unknown[]> => {
    const items = await redis.lrange(key, 0, Math.max(0, limit - 1));
    return items.map((item) => {
      try {
        return JSON.parse(item);
      } catch {
        return item;
      }
    });
  };

  return {
    keys,
    async enqueue(job) {
      const [numKeys, ...args] = enqueueArgs(p, job);
      return await redis.eval(ENQUEUE_SCRIPT, Number(numKeys), ...args) === 1;
    },
    async reserve(workerId, timeoutMs, signal) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await intakeLegacy();
        const r = await tryReserve(workerId);
        if (r) return r;
        const left = deadline - Date.now();
        if (left <= 0 || signal?.aborted) return null;
        await waitForWake(await idleWaitMs(left), signal);
      }
    },
    async heartbeat(r) {
      return await evalScript(HEARTBEAT, [], [p, r.user, r.token, leaseMs]) === 1;
    },
    async complete(r, outcome) {
      if (!await finish(r, "done")) return false;
      await publishMany(r.uuids.map((uuid) => ({
        uuid,
        status: outcome?.status ?? "succeeded",
        lines: outcome?.lines ?? [],
        coveredBy: r.syncId,
      })));
      return true;
    },
    retryLater,
    fail,
    requeue: (r) => finish(r, "requeue"),
    settle(r, error) {
      const reason = messageOf(error);
      if (error instanceof UnrecoverableError) {
        return fail(r, reason).then((ok) => ok ? { kind: "failed" } : { kind: "lost" });
      }
      return retryLater(r, reason);
    },
    publishResult: (result) => publishMany([result]),
    async waitResult(uuid, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = await redis.get(keys.result(uuid));
        const result = text === null ? undefined : parseJobResult(text);
        if (result) return result;
        const left = deadline - Date.now();
        if (left <= 0) return null;
        await sleep(Math.min(pollMs, left));
      }
    },
    async jobState(uuid) {
      const state = await redis.hget(keys.job(uuid), "state");
      if (state === "queued" || state === "running") return state;
      const text = await redis.get(keys.result(uuid));
      return (text === null ? undefined : parseJobResult(text)?.status) ?? null;
    },
    async stats() {
      const reply = await evalScript(STATS, [legacyKey], [p]);
      const n = (i: number) => Array.isArray(reply) ? Number(reply[i] ?? 0) : 0;
      const flat = stringList(Array.isArray(reply) ? reply[7] : undefined) ?? [];
      const running: QueueStats["running"] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const holder = flat[i + 1]!;
        const cut = holder.lastIndexOf(" ");
        running.push({
          user: flat[i]!,
          workerId: holder.slice(0, cut),
          since: new Date(Number(holder.slice(cut + 1))),
        });
      }
      return {
        readyUsers: n(0),
        dueUsers: n(1),
        queuedJobs: n(2),
        runningJobs: n(3),
        running,
        deadJobs: n(4),
        invalidPayloads: n(5),
        legacyWaiting: n(6),
      };
    },
    lockWaits: async () => Number(await redis.get(keys.lockWaits) ?? 0),
    recentDead: (limit) => recent(keys.dead, limit),
    async retryDead(uuid) {
      for (const raw of await redis.lrange(keys.dead, 0, -1)) {
        let entry;
        try {
          entry = JSON.parse(raw);
        } catch {
          continue;
        }
        if (entry?.uuid !== uuid) continue;
        // The job as it was queued: validated again, like any job the worker reserves.
        const parsed = parseJob(JSON.stringify(entry.job ?? null), options.reposRoot);
        if (!parsed.ok) return "missing";
        const [, ...args] = enqueueArgs(p, parsed.job);
        const answer = await evalScript(RETRY_DEAD, [], [...args, raw]);
        return answer === 1 ? "queued" : answer === 2 ? "busy" : "missing";
      }
      return "missing";
    },
    recentInvalid: (limit) => recent(keys.invalid, limit),
    intakeLegacy,
  };
}
