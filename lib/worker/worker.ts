/**
 * The worker loop: fetch a reservation with a short timeout, sync that user once for
 * every push it covers, record the outcome, repeat until told to stop.
 *
 * Stopping has two steps (as Sidekiq's quiet and stop): the `quiet` signal stops
 * fetching, and the job in hand is given `deadlineMs` to finish; past that it is
 * abandoned and handed back to the queue (`requeue`), so no push is lost and the lock
 * is released for another worker.
 *
 * @module
 */
import type { Db, LogLineInput } from "../db/mysql.ts";
import { coverNote } from "../queue/redis_queue.ts";
import type { Queue, Reservation } from "../queue/types.ts";
import { UnrecoverableError } from "../errors.ts";
import type { Route53Api } from "../route53/api.ts";
import { formatChange } from "../plan/plan.ts";
import { syncUser } from "../sync/user.ts";
import {
  FAILED,
  SYNC_PARSE_MS,
  type UserSyncResult,
  type UserSyncSettings,
  type ZoneOutcome,
} from "../sync/types.ts";
import { messageOf } from "../util/message.ts";
import { customerMessage } from "../util/customer_text.ts";
import { escapeControl } from "../util/escape.ts";
import { sleep } from "../util/sleep.ts";
import { reconcileRequest } from "./reconcile.ts";

/** An operator log entry (printed as one JSON line). */
export type OperatorLog = (entry: Record<string, unknown>) => void;

/** Hooks for metrics; every field optional. */
export interface WorkerObserver {
  jobFinished?(outcome: "succeeded" | "failed" | "retry" | "lost", seconds: number): void;
  /** The loop is alive: told at each iteration and each lease renewal of the job in hand. */
  tick?(): void;
}

/** What the loop needs. */
export interface WorkerDeps {
  queue: Queue;
  db: Db;
  api: Route53Api;
  settings: UserSyncSettings;
  workerId: string;
  log: OperatorLog;
  observer?: WorkerObserver;
  /** How often the lease is renewed (default 10 s; the queue's lease is 30 s). */
  heartbeatMs?: number;
  /** The queue's lease (default 30 s): past it without a renewal, the user may be another's. */
  leaseMs?: number;
  /** How long `reserve` blocks before looking at the stop signal again (default 1 s). */
  fetchTimeoutMs?: number;
  /** Side intake run before each fetch (NEW:USER events); its errors are logged. */
  intake?: () => Promise<unknown>;
  /** Time one sync may spend reading zone files, all files together (default 10 s). */
  syncParseMs?: number;
  /** The sync (default {@linkcode syncUser}); tests pass a fake to drive the outcome. */
  sync?: typeof syncUser;
}

/** Options of {@linkcode runWorker}. */
export interface RunOptions {
  /** Aborted = stop fetching (SIGTERM). */
  quiet: AbortSignal;
  /** After `quiet`, how long the job in hand may still run (default 60 s). */
  deadlineMs?: number;
  /** Stop after this many reservations (tests, `sync`). */
  maxJobs?: number;
  /** Stop when nothing was due for one fetch (tests, demo). */
  untilIdle?: boolean;
}

/**
 * Whether a reservation may still be acted on: not reported lost, and renewed within
 * the lease. A worker cut off from Redis cannot learn that its lease ran out, so it
 * goes by its own clock, with a margin of a fifth of the lease for clock drift.
 */
export function leaseHeld(lost: boolean, renewedAt: number, now: number, leaseMs: number): boolean {
  return !lost && now - renewedAt < leaseMs * 0.8;
}

/**
 * Why a sync failed, for the job row's `error` (what `status` lists): the summaries of
 * its failed zones; for a sync that failed before any zone (e.g. `zones` is not a
 * folder) its error lines; null when it succeeded.
 */
export function failureReason(result: UserSyncResult): string | null {
  const zones = result.zones.filter((z) => FAILED.has(z.status)).map((z) => z.summary);
  if (zones.length > 0) return zones.join("; ");
  if (result.ok) return null;
  const errors = result.log.filter((l) => l.level === "error").map((l) => l.message);
  return errors.join("; ") || "sync failed; see the job's log";
}

/** At most this many changed records are listed in a push's output; beyond, the counts. */
export const MAX_CHANGE_LINES = 20;

/**
 * The lines under one zone's summary: the name servers of a zone this sync created
 * (what the customer sets at the registrar), then its changed records when they fit in
 * what is left of `budget` change lines (else the summary's counts say it).
 */
function zoneDetailLines(zone: ZoneOutcome, budget: { left: number }): string[] {
  const lines: string[] = [];
  if (zone.created && zone.nameservers?.length) {
    const shown = zone.zone.replace(/\.$/, "");
    lines.push(`set these at your registrar for ${shown}: ${zone.nameservers.join(", ")}`);
  }
  const changes = zone.status === "synced" ? zone.plan?.changes ?? [] : [];
  if (changes.length > 0 && changes.length <= budget.left) {
    budget.left -= changes.length;
    lines.push(...changes.map((change) => `  ${formatChange(change)}`));
  }
  return lines;
}

/**
 * The customer-facing lines of a sync: one per zone (with its new name servers and, for
 * a small push, its changed records), then parse errors.
 */
export function resultLines(result: UserSyncResult): string[] {
  const budget = { left: MAX_CHANGE_LINES };
  const lines = result.zones.flatMap((z) => [z.summary, ...zoneDetailLines(z, budget)]);
  // a Set, not lines.includes: a file of 100,000 bad lines made this quadratic
  const seen = new Set(result.zones.map((z) => z.summary));
  for (const line of result.log) {
    if (line.level === "error" && !seen.has(line.message)) {
      seen.add(line.message);
      lines.push(line.message);
    }
  }
  if (lines.length === 0) lines.push("no zone file changed; nothing to do");
  // The lines published to Redis, which the hook prints: escaped where they are made.
  return lines.map(escapeControl);
}

/**
 * Runs until `quiet` is aborted (then finishes or hands back the job in hand), or
 * until `maxJobs`/`untilIdle` say so. Never throws for a bad job: every failure is
 * settled through the queue and logged.
 */
export async function runWorker(deps: WorkerDeps, options: RunOptions): Promise<number> {
  let handled = 0;
  while (!options.quiet.aborted) {
    deps.observer?.tick?.();
    if (options.maxJobs !== undefined && handled >= options.maxJobs) break;
    if (deps.intake) {
      await deps.intake().catch((error) =>
        deps.log({ level: "error", event: "intake", message: messageOf(error) })
      );
    }
    let reservation: Reservation | null;
    try {
      reservation = await deps.queue.reserve(
        deps.workerId,
        deps.fetchTimeoutMs ?? 1000,
        options.quiet,
      );
    } catch (error) {
      // Redis down: wait and try again; jobs stay safe in Redis meanwhile.
      deps.log({ level: "error", event: "fetch", message: messageOf(error) });
      await sleep(1000, options.quiet);
      continue;
    }
    if (reservation === null) {
      if (options.untilIdle) break;
      continue;
    }
    handled++;
    await handleWithDeadline(deps, reservation, options);
  }
  return handled;
}

async function handleWithDeadline(
  deps: WorkerDeps,
  reservation: Reservation,
  options: RunOptions,
): Promise<void> {
  const work = handleReservation(deps, reservation);
  const deadline = new Promise<"deadline" | "done">((resolve) => {
    const onQuiet = () => {
      timer = setTimeout(() => resolve("deadline"), options.deadlineMs ?? 60_000);
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (options.quiet.aborted) onQuiet();
    else options.quiet.addEventListener("abort", onQuiet, { once: true });
    work.finally(() => {
      clearTimeout(timer);
      options.quiet.removeEventListener("abort", onQuiet);
      resolve("done");
    });
  });
  const first = await Promise.race([work.then(() => "done" as const), deadline]);
  if (first === "deadline") {
    // Still running past the deadline: hand the users' pushes back to the queue so
    // another worker redoes the sync; the work in hand is left to die with us.
    const given = await deps.queue.requeue(reservation).catch(() => false);
    deps.log({
      level: "warn",
      event: "abandoned",
      user: reservation.user,
      uuid: reservation.syncId,
      message: given
        ? "shutdown deadline passed; the sync was handed back to the queue"
        : "shutdown deadline passed; the lease will expire and another worker takes over",
    });
  }
}

/**
 * Handles one reservation: job rows to running, one sync, logs and final statuses for
 * every covered uuid, queue acknowledgement. Errors end in the queue's retry or dead
 * list, never in the caller.
 */
export async function handleReservation(deps: WorkerDeps, r: Reservation): Promise<void> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const { db, queue, log } = deps;
  let lost = false;
  let renewedAt = performance.now();
  const beat = setInterval(() => {
    queue.heartbeat(r).then((ok) => {
      if (ok) {
        renewedAt = performance.now();
        deps.observer?.tick?.();
      } else lost = true;
    }).catch(() => {});
  }, deps.heartbeatMs ?? 10_000);
  const stillOwned = () => leaseHeld(lost, renewedAt, performance.now(), deps.leaseMs ?? 30_000);
  log({
    level: "info",
    event: "start",
    user: r.user,
    uuid: r.syncId,
    jobs: r.uuids.length,
    attempt: r.attempt,
  });
  try {
    await db.startJobs(
      r.user,
      r.jobs.map((job) => ({ uuid: job.uuid, queuedAt: new Date(job.queuedAt) })),
    );
    let result: UserSyncResult;
    try {
      const sync = deps.sync ?? syncUser;
      const totalMs = deps.syncParseMs ?? SYNC_PARSE_MS;
      const parseBudget = { totalMs, leftMs: totalMs };
      result = await sync({ db, api: deps.api, settings: deps.settings, stillOwned, parseBudget }, {
        user: r.user,
        jobId: r.syncId,
        reconcile: reconcileRequest(r.jobs),
      });
    } catch (error) {
      await settleFailure(deps, r, error, seconds);
      return;
    }
    if (lost) {
      log({ level: "warn", event: "lost", user: r.user, uuid: r.syncId, message: "lease lost" });
      deps.observer?.jobFinished?.("lost", seconds());
      return;
    }
    const lines = resultLines(result);
    const status = result.ok ? "succeeded" : "failed";
    for (const uuid of r.uuids) {
      const own: LogLineInput[] = uuid === r.syncId
        ? [...result.log]
        : lines.map((message) => ({ level: status === "failed" ? "warn" : "info", message }));
      own.unshift({ level: "info", message: coverNote(r, uuid), ts: result.log[0]?.ts });
      await db.finishJob({
        uuid,
        user: r.user,
        status,
        commit: result.commit,
        error: failureReason(result),
        coveredBy: uuid === r.syncId ? null : r.syncId,
        log: own,
      });
    }
    // Logged before the lock is released: an idle worker woken by the release may start
    // the user's next sync within a millisecond, and the log must not show them overlap.
    log({
      level: "info",
      event: "done",
      user: r.user,
      uuid: r.syncId,
      status,
      zones: result.zones.map((z) => z.summary),
      seconds: Math.round(seconds() * 1000) / 1000,
    });
    await queue.complete(r, { lines, status });
    deps.observer?.jobFinished?.(status, seconds());
  } catch (error) {
    // MySQL or Redis failed while recording: the queue retries the whole sync, which is
    // idempotent (a second run of one commit changes nothing).
    await settleFailure(deps, r, error, seconds);
  } finally {
    clearInterval(beat);
  }
}

async function settleFailure(
  deps: WorkerDeps,
  r: Reservation,
  error: unknown,
  seconds: () => number,
): Promise<void> {
  const permanent = error instanceof UnrecoverableError;
  deps.log({
    level: "error",
    event: permanent ? "failed" : "error",
    user: r.user,
    uuid: r.syncId,
    message: messageOf(error),
  });
  // The full text went to the operator's log; job logs, the dead list and the push
  // output get what a customer may read (no server paths, no hosted zone ids).
  const reason = customerMessage(error);
  const shown = permanent
    ? new UnrecoverableError(reason, { cause: error })
    : new Error(reason, { cause: error });
  if (permanent) {
    // Recorded before the queue publishes the final status, as a success is: whoever
    // sees `failed` (logs, a waiting hook) finds the reason in the log as well.
    await recordEach(deps, r, async (uuid) => {
      const log: LogLineInput[] = [{ level: "error", message: reason }];
      await deps.db.finishJob({ uuid, user: r.user, status: "failed", error: reason, log });
    });
  }
  let outcome;
  try {
    outcome = await deps.queue.settle(r, shown);
  } catch (queueError) {
    // Redis is down too: the lease expires and another worker takes the jobs over.
    deps.log({ level: "error", event: "settle", user: r.user, message: messageOf(queueError) });
    deps.observer?.jobFinished?.("lost", seconds());
    return;
  }
  const final = outcome.kind === "failed";
  if (permanent) {
    deps.observer?.jobFinished?.(final ? "failed" : outcome.kind, seconds());
    return;
  }
  const line: LogLineInput = {
    level: final ? "error" : "warn",
    message: final
      ? `sync failed: ${reason}`
      : outcome.kind === "retry"
      ? `attempt ${r.attempt} failed (${reason}); retrying in ${
        Math.round(outcome.delayMs / 1000)
      } s`
      : `attempt ${r.attempt} failed (${reason}); another worker takes over`,
  };
  await recordEach(deps, r, async (uuid) => {
    if (final) {
      await deps.db.finishJob({ uuid, user: r.user, status: "failed", error: reason, log: [line] });
    } else {
      await deps.db.appendLog({ uuid, user: r.user }, [line]);
      await deps.db.requeueJob({ uuid, user: r.user, error: reason });
    }
  });
  deps.observer?.jobFinished?.(final ? "failed" : outcome.kind, seconds());
}

/** Best effort: MySQL may be the thing that failed; the queue already holds the truth. */
async function recordEach(
  deps: WorkerDeps,
  r: Reservation,
  write: (uuid: string) => Promise<void>,
): Promise<void> {
  for (const uuid of r.uuids) {
    try {
      await write(uuid);
    } catch (error) {
      deps.log({ level: "error", event: "record", uuid, message: messageOf(error) });
    }
  }
}
