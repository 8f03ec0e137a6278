/**
 * The rows of the dns-api tables as plain types, with the zod schemas that check them
 * as they come out of MySQL, and the pure user-access rule.
 *
 * @module
 */

import { z } from "zod";

/** Account states; only `active` users are synced. */
export const USER_STATUSES = ["active", "banned", "suspended"] as const;
/** One of {@linkcode USER_STATUSES}. */
export type UserStatus = typeof USER_STATUSES[number];
/** Job states; every job ends `succeeded` or `failed`. */
export const JOB_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
/** One of {@linkcode JOB_STATUSES}. */
export type JobStatus = typeof JOB_STATUSES[number];
/** Job log levels. */
export const LOG_LEVELS = ["info", "warn", "error"] as const;
/** One of {@linkcode LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];

const nullableDate = z.date().nullable();

/** Checks a `users` row and maps it to camelCase. */
export const UserRow = z.object({
  name: z.string(),
  status: z.enum(USER_STATUSES),
  expires_at: nullableDate,
  created_at: z.date(),
}).transform((r) => ({
  name: r.name,
  status: r.status,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
}));
/** A user account. */
export type User = z.infer<typeof UserRow>;

const Nameservers = z.preprocess(
  (v) => typeof v === "string" ? JSON.parse(v) : v,
  z.array(z.string()),
);

/** Checks a `domains` row and maps it to camelCase. */
export const DomainRow = z.object({
  name: z.string(),
  owner: z.string(),
  hosted_zone_id: z.string().nullable(),
  nameservers: Nameservers,
  last_synced_commit: z.string().nullable(),
  last_full_sync_at: nullableDate,
  created_at: z.date(),
  updated_at: z.date(),
}).transform((r) => ({
  name: r.name,
  owner: r.owner,
  hostedZoneId: r.hosted_zone_id,
  nameservers: r.nameservers,
  lastSyncedCommit: r.last_synced_commit,
  lastFullSyncAt: r.last_full_sync_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
}));
/** A hosted domain and what the last sync stored for it. */
export type Domain = z.infer<typeof DomainRow>;

/** Checks a `jobs` row and maps it to camelCase. */
export const JobRow = z.object({
  uuid: z.string(),
  user: z.string(),
  status: z.enum(JOB_STATUSES),
  attempts: z.number().int(),
  commit_sha: z.string().nullable(),
  covered_by: z.string().nullable(),
  queued_at: nullableDate,
  started_at: nullableDate,
  finished_at: nullableDate,
  error: z.string().nullable(),
}).transform((r) => ({
  uuid: r.uuid,
  user: r.user,
  status: r.status,
  attempts: r.attempts,
  commit: r.commit_sha,
  coveredBy: r.covered_by,
  queuedAt: r.queued_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  error: r.error,
}));
/** One job (one push, or one manual sync). */
export type Job = z.infer<typeof JobRow>;

/** Checks a `job_logs` row. */
export const LogRow = z.object({
  ts: z.date(),
  level: z.enum(LOG_LEVELS),
  zone: z.string().nullable(),
  message: z.string(),
});

/** A log line to store; `ts` defaults to now. */
export interface LogLineInput {
  level: LogLevel;
  message: string;
  zone?: string | null;
  ts?: Date;
}

/** The JSON printed by `logs UUID --json` (docs/design.md). */
export interface JobView {
  uuid: string;
  user: string;
  status: JobStatus;
  commit: string | null;
  log: { ts: string; level: LogLevel; zone: string | null; message: string }[];
}

/** What a sync stores for a domain; omitted fields are left as they are. */
export interface DomainSyncUpdate {
  hostedZoneId?: string;
  nameservers?: string[];
  lastSyncedCommit?: string;
  /** Set `last_full_sync_at` to now (a sync that compared every record). */
  fullSync?: boolean;
}

/** A failed job for the `status` command. */
export interface FailureSummary {
  uuid: string;
  user: string;
  finishedAt: Date | null;
  error: string | null;
}

/**
 * Why a user may not be synced now, or null when they may: missing, banned, suspended
 * or expired (pure; `now` is passed in).
 */
export function userProblem(user: User | null, name: string, now: Date): string | null {
  if (!user) return `user ${name} does not exist`;
  if (user.status !== "active") return `user ${name} is ${user.status}`;
  if (user.expiresAt && user.expiresAt.getTime() <= now.getTime()) {
    return `user ${name} expired at ${user.expiresAt.toISOString()}`;
  }
  return null;
}
