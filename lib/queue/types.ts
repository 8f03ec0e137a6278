/**
 * The queue's types as the worker, the CLI and the legacy intake see them, apart
 * from the Redis implementation (`redis_queue.ts`), so that the intake can name
 * them without importing the queue that uses it.
 *
 * @module
 */

import type { Job, JobResult } from "../job/contract.ts";
import type { QueueKeys } from "../job/keys.ts";
import type { BackoffOptions } from "./backoff.ts";

/** A user reserved by one worker, with every job its sync covers. */
export interface Reservation {
  user: string;
  /** Random lock token; only its holder can heartbeat or finish the reservation. */
  token: string;
  workerId: string;
  /** 1 for the first try of this batch; counts retries and lost workers. */
  attempt: number;
  /** The valid jobs covered by this sync, oldest first. */
  jobs: Job[];
  /** Their uuids, in the same order. */
  uuids: string[];
  /** The newest uuid: the sync that covers all of them is logged under it. */
  syncId: string;
}

/** What the queue logs (the worker prints these as JSON lines). */
export interface QueueLogEntry {
  level: "info" | "warn";
  event: "invalid" | "legacy" | "dead" | "retry" | "lost";
  message: string;
  user?: string;
  uuid?: string;
}

/** Settings of {@linkcode createQueue}. */
export interface QueueOptions {
  /** `REPOS_ROOT`: a job's repo must be exactly `reposRoot/<user>`. */
  reposRoot: string;
  /** Key prefix (default `dnsapi:`). */
  prefix?: string;
  /** Legacy intake key, without prefix (default `HOOK:JOBS`). */
  legacyKey?: string;
  /** Lease length; heartbeat well within it (default 30 s). */
  leaseMs?: number;
  /** Attempts before a batch goes to the dead list (default 5). */
  maxAttempts?: number;
  /** Retry delays (default 5 s doubling up to 5 min, 20% jitter). */
  backoff?: BackoffOptions;
  /** Most uuids one reservation takes (default 1000). */
  maxBatch?: number;
  /** How often `reserve` looks again while nothing is due (default 100 ms). */
  pollMs?: number;
  /** How long results stay readable (default 1 h). */
  resultTtlSeconds?: number;
  /** Receives what was set aside, retried, failed or lost. */
  log?: (entry: QueueLogEntry) => void;
  /**
   * Whether a user exists (MySQL's `users`): a legacy payload naming none is set aside
   * with that reason. Without it, every well-formed name is taken in, and the sync
   * refuses an unknown user.
   */
  userExists?: (user: string) => Promise<boolean>;
  /**
   * Whether a job id is known outside Redis (MySQL's `jobs`, which outlive Redis'
   * results): a legacy payload reusing one is set aside, as one reusing a uuid Redis
   * still holds is.
   */
  jobKnown?: (uuid: string) => Promise<boolean>;
  /**
   * The URL of a user's registered remote (MySQL's `remotes`), or null: an original
   * `{uuid,owner,url}` payload naming it is queued, any other remote URL set aside.
   */
  remoteOf?: (user: string) => Promise<string | null>;
}

/** Outcome of {@linkcode Queue.retryLater}. */
export type RetryOutcome =
  | { kind: "retry"; delayMs: number }
  | { kind: "failed" }
  | { kind: "lost" };

/** Where a uuid is, while Redis still knows it. */
export type JobState = "queued" | "running" | "succeeded" | "failed";

/** Numbers for the `status` command. */
export interface QueueStats {
  /** Users waiting to be synced (some may be waiting out a retry delay). */
  readyUsers: number;
  /** Of those, users due now. */
  dueUsers: number;
  /** Jobs queued (pending, or waiting for a retry or a takeover). */
  queuedJobs: number;
  /** Jobs in a sync that holds its lock. */
  runningJobs: number;
  /** Who syncs what: user, worker and since when. */
  running: { user: string; workerId: string; since: Date }[];
  deadJobs: number;
  invalidPayloads: number;
  /** Payloads still waiting in the legacy key. */
  legacyWaiting: number;
}

/** The queue as the worker loop uses it; created by `createQueue` (redis_queue.ts). */
export interface Queue {
  /** The key names in use. */
  readonly keys: QueueKeys;
  /** Queues a job (what the hook does; used by tests and tools). False if already queued. */
  enqueue(job: Job): Promise<boolean>;
  /**
   * Fetch with a short timeout: reserves the next due user, or returns null after
   * `timeoutMs` (or when `signal` aborts). Takes in legacy jobs and sets invalid
   * payloads aside on the way. Call {@linkcode Queue.heartbeat} well within the lease.
   */
  reserve(workerId: string, timeoutMs: number, signal?: AbortSignal): Promise<Reservation | null>;
  /** Renews the lease. False means the lock was lost: stop and do not finish. */
  heartbeat(reservation: Reservation): Promise<boolean>;
  /**
   * Acknowledges the sync; publishes `lines` and `status` (default `succeeded`; a sync
   * that ran but had zones refused is `failed` without retrying) as each uuid's result.
   * False if lost. Record the final status in MySQL *before* calling it: a crash in
   * between then costs one more (idempotent) sync, never a uuid without a status.
   */
  complete(
    reservation: Reservation,
    outcome?: { lines: string[]; status?: "succeeded" | "failed" },
  ): Promise<boolean>;
  /** Transient failure: retry after a backoff, or fail once attempts are used up. */
  retryLater(reservation: Reservation, reason: string): Promise<RetryOutcome>;
  /** Permanent failure: every uuid goes to the dead list with the reason. False if lost. */
  fail(reservation: Reservation, reason: string, lines?: string[]): Promise<boolean>;
  /** Shutdown: gives the reservation back at once (behind the users already due), the attempt not counted. */
  requeue(reservation: Reservation): Promise<boolean>;
  /** `fail` for an `UnrecoverableError` (lib/errors.ts), else `retryLater`. */
  settle(reservation: Reservation, error: unknown): Promise<RetryOutcome>;
  /** Stores a job's result (expiring) and wakes a hook waiting for it. */
  publishResult(result: JobResult): Promise<void>;
  /** Polls for a job's result for up to `timeoutMs`. */
  waitResult(uuid: string, timeoutMs: number): Promise<JobResult | null>;
  /** `queued`/`running` while in Redis, then the published result's status; else null. */
  jobState(uuid: string): Promise<JobState | null>;
  /** Counts for `status`. */
  stats(): Promise<QueueStats>;
  /** How often, across all workers, a due user waited for another worker's sync lock. */
  lockWaits(): Promise<number>;
  /** The newest dead-list entries (JSON objects as stored). */
  recentDead(limit: number): Promise<unknown[]>;
  /**
   * Takes the dead entry of `uuid` off the dead list and queues its job again, atomically:
   * `queued`, `missing` (no such entry, or no job in it), or `busy` (already queued).
   */
  retryDead(uuid: string): Promise<"queued" | "missing" | "busy">;
  /** The newest invalid-payload entries (JSON objects as stored). */
  recentInvalid(limit: number): Promise<unknown[]>;
  /** Moves up to `limit` legacy payloads into the queue; returns how many were queued. */
  intakeLegacy(limit?: number): Promise<number>;
}
