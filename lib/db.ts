/**
 * MySQL/MariaDB storage for users, domains, jobs and job logs, behind the {@linkcode Db}
 * interface so the worker takes it as a parameter.
 *
 * Every statement is parameterised; the only interpolated identifier (the database name
 * in {@linkcode createDatabaseIfMissing}) is validated first. Rows are checked with zod
 * as they come in. Times are UTC with milliseconds.
 *
 * @module
 */

import mysql from "mysql2/promise";
import type { Pool, PoolConnection, RowDataPacket } from "mysql2/promise";
import { z } from "zod";
import { decideOwnership, normaliseDomain, type OwnershipDecision } from "./ownership.ts";

export { assertSchemaCurrent, migrate, MIGRATIONS, schemaStatus } from "./migrations.ts";
export type { Migration, SchemaStatus } from "./migrations.ts";

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

const UserRow = z.object({
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

const DomainRow = z.object({
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

const JobRow = z.object({
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

const LogRow = z.object({
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

/** The JSON printed by `logs UUID --json` (DESIGN.md). */
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

/** The storage the worker and CLI use. */
export interface Db {
  /** Creates an active user; throws a RangeError if the name is taken. */
  addUser(name: string, expiresAt?: Date | null): Promise<User>;
  /** The user, or null. */
  getUser(name: string): Promise<User | null>;
  /** Sets the status; false when there is no such user. */
  setUserStatus(name: string, status: UserStatus): Promise<boolean>;
  /** Marks the user banned; false when there is no such user. */
  banUser(name: string): Promise<boolean>;
  /** Marks the user active again; false when there is no such user. */
  unbanUser(name: string): Promise<boolean>;
  /** Sets (or with null clears) the expiry time; false when there is no such user. */
  expireUser(name: string, at: Date | null): Promise<boolean>;
  /** Every user, by name. */
  listUsers(): Promise<User[]>;
  /** The domain (name normalised), or null. */
  getDomain(name: string): Promise<Domain | null>;
  /** The domains of one owner, by name. */
  listDomains(owner: string): Promise<Domain[]>;
  /** Rows for the name itself, its parents and its children (for ownership checks). */
  domainsRelatedTo(name: string): Promise<Domain[]>;
  /**
   * Decides ownership (lib/ownership.ts) and, when the domain is unowned and allowed,
   * records `user` as its owner; serialised across workers by a named lock.
   */
  claimDomain(user: string, name: string): Promise<OwnershipDecision>;
  /** Stores what a sync learned; false when there is no such domain. */
  updateDomainAfterSync(name: string, update: DomainSyncUpdate): Promise<boolean>;
  /** Records a job as running (inserting it if new) and counts the attempt. */
  startJob(
    job: { uuid: string; user: string; commit?: string | null; queuedAt?: Date },
  ): Promise<Job>;
  /** Puts a job back to `queued` after a transient failure, keeping the reason. */
  requeueJob(job: { uuid: string; user: string; error: string }): Promise<void>;
  /** Records the final status (inserting the job if it never started, e.g. a covered push). */
  finishJob(job: {
    uuid: string;
    user: string;
    status: "succeeded" | "failed";
    commit?: string | null;
    error?: string | null;
    coveredBy?: string | null;
  }): Promise<void>;
  /** The job, or null. */
  getJob(uuid: string): Promise<Job | null>;
  /** Appends log lines to a job, in order. */
  appendLog(uuid: string, lines: readonly LogLineInput[]): Promise<void>;
  /** The job with its log as `logs UUID --json` prints it, or null. */
  getJobWithLogs(uuid: string): Promise<JobView | null>;
  /** Number of jobs per status. */
  jobCounts(): Promise<Record<JobStatus, number>>;
  /** The latest failed jobs, newest first. */
  recentFailures(limit?: number): Promise<FailureSummary[]>;
  /** Jobs currently marked running, oldest first. */
  runningJobs(): Promise<Job[]>;
  /** Closes the pool. */
  close(): Promise<void>;
}

/** Options for {@linkcode openDb}. */
export interface OpenDbOptions {
  /** Connect timeout in ms (default 3000): a dead server fails fast and clearly. */
  connectTimeoutMs?: number;
  /** Pool size (default 4). */
  connectionLimit?: number;
}

/** The mysql2 implementation; `pool` is exposed for migrations and tests. */
export interface MysqlDb extends Db {
  pool: Pool;
  target: DbTarget;
}

/** Where to connect, parsed from `DATABASE_URL`. */
export interface DbTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/**
 * Parses `mysql://user:pass@host:3306/db` (user and password URL-encoded). Throws a
 * TypeError that never repeats the password.
 */
export function parseDatabaseUrl(url: string): DbTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError("Cannot parse DATABASE_URL: expected mysql://user:pass@host:3306/db");
  }
  if (u.protocol !== "mysql:" && u.protocol !== "mariadb:") {
    throw new TypeError(`Cannot use DATABASE_URL: scheme ${u.protocol} is not mysql:`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ""));
  // The name is interpolated into CREATE DATABASE, so only plain identifiers pass.
  if (!/^[A-Za-z0-9_$]{1,64}$/.test(database)) {
    throw new TypeError(
      "Cannot use DATABASE_URL: the path must be a database name of letters, digits and _",
    );
  }
  return {
    host: u.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username) || "root",
    password: decodeURIComponent(u.password),
    database,
  };
}

function describeTarget(t: DbTarget): string {
  return `at ${t.host}:${t.port} (database ${t.database}, user ${t.user})`;
}

const MAX_MESSAGE = 4000;
const LOG_BATCH = 200;
const CLAIM_LOCK = "dnsapi_domain_claims";

/**
 * Opens a pool for a `mysql://user:pass@host:3306/db` URL and checks it with one
 * round trip, so a wrong host, password or database fails here with a message naming
 * host and database (never the password).
 *
 * @example
 * ```ts
 * const db = await openDb("mysql://dns:secret@127.0.0.1:3306/dnsapi");
 * try { await db.getUser("steve"); } finally { await db.close(); }
 * ```
 */
export async function openDb(url: string, opts: OpenDbOptions = {}): Promise<MysqlDb> {
  const target = parseDatabaseUrl(url);
  const pool = mysql.createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectTimeout: opts.connectTimeoutMs ?? 3000,
    connectionLimit: opts.connectionLimit ?? 4,
    timezone: "Z",
    charset: "utf8mb4",
    supportBigNumbers: true,
  });
  try {
    await pool.query("SELECT 1");
  } catch (cause) {
    await pool.end().catch(() => {});
    throw new Error(`Cannot connect to MySQL ${describeTarget(target)}: ${mysqlReason(cause)}`, {
      cause,
    });
  }
  return mysqlDb(pool, target);
}

/**
 * Creates the URL's database when it does not exist (for `migrate` and tests); needs a
 * user allowed to create databases.
 */
export async function createDatabaseIfMissing(
  url: string,
  opts: OpenDbOptions = {},
): Promise<void> {
  const target = parseDatabaseUrl(url);
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      connectTimeout: opts.connectTimeoutMs ?? 3000,
    });
    // Identifiers cannot be parameterised; parseDatabaseUrl allows only [A-Za-z0-9_$].
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${target.database}\` CHARACTER SET utf8mb4`,
    );
  } catch (cause) {
    throw new Error(
      `Cannot create database on MySQL ${describeTarget(target)}: ${mysqlReason(cause)}`,
      { cause },
    );
  } finally {
    await conn?.end();
  }
}

function mysqlReason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = "code" in e && typeof e.code === "string" ? `${e.code}: ` : "";
  return code + (e.message || "no message (server unreachable?)");
}

function rowsOf(result: unknown): unknown[] {
  return Array.isArray(result) ? result : [];
}

function affected(result: unknown): number {
  if (typeof result === "object" && result !== null && "affectedRows" in result) {
    return typeof result.affectedRows === "number" ? result.affectedRows : 0;
  }
  return 0;
}

function clip(message: string): string {
  return message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE - 1) + "…" : message;
}

/** Escapes LIKE wildcards so a name matches only literally. */
function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => "\\" + c);
}

function mysqlDb(pool: Pool, target: DbTarget): MysqlDb {
  async function query(sql: string, params: unknown[] = []): Promise<unknown[]> {
    const [rows] = await pool.query(sql, params);
    return rowsOf(rows);
  }
  async function exec(sql: string, params: unknown[] = []): Promise<number> {
    const [result] = await pool.query(sql, params);
    return affected(result);
  }
  async function getUser(name: string): Promise<User | null> {
    const rows = await query("SELECT * FROM users WHERE name = ?", [name]);
    return rows.length ? UserRow.parse(rows[0]) : null;
  }
  async function getJob(uuid: string): Promise<Job | null> {
    const rows = await query("SELECT * FROM jobs WHERE uuid = ?", [uuid]);
    return rows.length ? JobRow.parse(rows[0]) : null;
  }
  async function related(conn: Pool | PoolConnection, name: string): Promise<Domain[]> {
    const zone = normaliseDomain(name);
    const labels = zone.split(".");
    const lineage = labels.map((_, i) => labels.slice(i).join("."));
    const [rows] = await conn.query<RowDataPacket[]>(
      "SELECT * FROM domains WHERE name IN (?) OR name LIKE ? ORDER BY name",
      [lineage, "%." + likeLiteral(zone)],
    );
    return rows.map((r) => DomainRow.parse(r));
  }
  const setStatus = async (name: string, status: UserStatus) =>
    await exec("UPDATE users SET status = ? WHERE name = ?", [status, name]) > 0;

  return {
    pool,
    target,
    async addUser(name, expiresAt = null) {
      try {
        await exec(
          "INSERT INTO users (name, status, expires_at, created_at) VALUES (?, 'active', ?, UTC_TIMESTAMP(3))",
          [name, expiresAt],
        );
      } catch (cause) {
        if (cause instanceof Error && "code" in cause && cause.code === "ER_DUP_ENTRY") {
          throw new RangeError(`Cannot add user ${name}: the name is taken`, { cause });
        }
        throw cause;
      }
      const user = await getUser(name);
      if (!user) throw new Error(`Cannot add user ${name}: the row vanished after insert`);
      return user;
    },
    getUser,
    setUserStatus: setStatus,
    banUser: (name) => setStatus(name, "banned"),
    unbanUser: (name) => setStatus(name, "active"),
    async expireUser(name, at) {
      // Compare found rows, not changed rows: setting the same expiry again is success.
      const rows = await query("SELECT name FROM users WHERE name = ?", [name]);
      if (rows.length === 0) return false;
      await exec("UPDATE users SET expires_at = ? WHERE name = ?", [at, name]);
      return true;
    },
    async listUsers() {
      return (await query("SELECT * FROM users ORDER BY name")).map((r) => UserRow.parse(r));
    },
    async getDomain(name) {
      const rows = await query("SELECT * FROM domains WHERE name = ?", [normaliseDomain(name)]);
      return rows.length ? DomainRow.parse(rows[0]) : null;
    },
    async listDomains(owner) {
      const rows = await query("SELECT * FROM domains WHERE owner = ? ORDER BY name", [owner]);
      return rows.map((r) => DomainRow.parse(r));
    },
    domainsRelatedTo: (name) => related(pool, name),
    async claimDomain(user, name) {
      const conn = await pool.getConnection();
      try {
        const [lock] = await conn.query<RowDataPacket[]>("SELECT GET_LOCK(?, 10) AS got", [
          CLAIM_LOCK,
        ]);
        if (lock[0]?.got !== 1) {
          throw new Error("Cannot claim a domain: the claim lock was busy for 10 s");
        }
        try {
          const decision = decideOwnership(user, name, await related(conn, name));
          if (decision.allowed && decision.claim) {
            await conn.query(
              `INSERT INTO domains (name, owner, nameservers, created_at, updated_at)
               VALUES (?, ?, '[]', UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`,
              [decision.zone, user],
            );
          }
          return decision;
        } finally {
          await conn.query("SELECT RELEASE_LOCK(?)", [CLAIM_LOCK]);
        }
      } finally {
        conn.release();
      }
    },
    async updateDomainAfterSync(name, update) {
      const sets = ["updated_at = UTC_TIMESTAMP(3)"];
      const params: unknown[] = [];
      if (update.hostedZoneId !== undefined) {
        sets.push("hosted_zone_id = ?");
        params.push(update.hostedZoneId);
      }
      if (update.nameservers !== undefined) {
        sets.push("nameservers = ?");
        params.push(JSON.stringify(update.nameservers));
      }
      if (update.lastSyncedCommit !== undefined) {
        sets.push("last_synced_commit = ?");
        params.push(update.lastSyncedCommit);
      }
      if (update.fullSync) sets.push("last_full_sync_at = UTC_TIMESTAMP(3)");
      params.push(normaliseDomain(name));
      return await exec(`UPDATE domains SET ${sets.join(", ")} WHERE name = ?`, params) > 0;
    },
    async startJob(job) {
      await exec(
        `INSERT INTO jobs (uuid, user, status, attempts, commit_sha, queued_at, started_at)
         VALUES (?, ?, 'running', 1, ?, ?, UTC_TIMESTAMP(3))
         ON DUPLICATE KEY UPDATE status = 'running', attempts = attempts + 1,
           commit_sha = COALESCE(VALUES(commit_sha), commit_sha),
           started_at = UTC_TIMESTAMP(3), finished_at = NULL`,
        [job.uuid, job.user, job.commit ?? null, job.queuedAt ?? new Date()],
      );
      const row = await getJob(job.uuid);
      if (!row) throw new Error(`Cannot start job ${job.uuid}: the row vanished after insert`);
      return row;
    },
    async requeueJob(job) {
      await exec(
        `INSERT INTO jobs (uuid, user, status, attempts, queued_at, error)
         VALUES (?, ?, 'queued', 0, UTC_TIMESTAMP(3), ?)
         ON DUPLICATE KEY UPDATE status = 'queued', error = VALUES(error)`,
        [job.uuid, job.user, clip(job.error)],
      );
    },
    async finishJob(job) {
      await exec(
        `INSERT INTO jobs (uuid, user, status, attempts, commit_sha, covered_by, queued_at,
           finished_at, error)
         VALUES (?, ?, ?, 0, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), ?)
         ON DUPLICATE KEY UPDATE status = VALUES(status),
           commit_sha = COALESCE(VALUES(commit_sha), commit_sha),
           covered_by = VALUES(covered_by), finished_at = VALUES(finished_at),
           error = VALUES(error)`,
        [
          job.uuid,
          job.user,
          job.status,
          job.commit ?? null,
          job.coveredBy ?? null,
          job.error == null ? null : clip(job.error),
        ],
      );
    },
    getJob,
    async appendLog(uuid, lines) {
      for (let i = 0; i < lines.length; i += LOG_BATCH) {
        const batch = lines.slice(i, i + LOG_BATCH);
        const now = new Date();
        const values = batch.map(() => "(?, ?, ?, ?, ?)").join(", ");
        const params = batch.flatMap((l) => [
          uuid,
          l.ts ?? now,
          l.level,
          l.zone ?? null,
          clip(l.message),
        ]);
        await exec(
          `INSERT INTO job_logs (job_uuid, ts, level, zone, message) VALUES ${values}`,
          params,
        );
      }
    },
    async getJobWithLogs(uuid) {
      const job = await getJob(uuid);
      if (!job) return null;
      const rows = await query(
        "SELECT ts, level, zone, message FROM job_logs WHERE job_uuid = ? ORDER BY id",
        [uuid],
      );
      return {
        uuid: job.uuid,
        user: job.user,
        status: job.status,
        commit: job.commit,
        log: rows.map((r) => {
          const l = LogRow.parse(r);
          return { ts: l.ts.toISOString(), level: l.level, zone: l.zone, message: l.message };
        }),
      };
    },
    async jobCounts() {
      const counts: Record<JobStatus, number> = { queued: 0, running: 0, succeeded: 0, failed: 0 };
      const rows = await query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status");
      const Count = z.object({ status: z.enum(JOB_STATUSES), n: z.coerce.number() });
      for (const r of rows) {
        const c = Count.parse(r);
        counts[c.status] = c.n;
      }
      return counts;
    },
    async recentFailures(limit = 10) {
      const rows = await query(
        "SELECT * FROM jobs WHERE status = 'failed' ORDER BY finished_at DESC, uuid LIMIT ?",
        [limit],
      );
      return rows.map((r) => {
        const j = JobRow.parse(r);
        return { uuid: j.uuid, user: j.user, finishedAt: j.finishedAt, error: j.error };
      });
    },
    async runningJobs() {
      const rows = await query(
        "SELECT * FROM jobs WHERE status = 'running' ORDER BY started_at, uuid",
      );
      return rows.map((r) => JobRow.parse(r));
    },
    async close() {
      await pool.end();
    },
  };
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
