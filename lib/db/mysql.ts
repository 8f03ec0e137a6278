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

import type { Pool, PoolConnection, RowDataPacket } from "mysql2/promise";
import { z } from "zod";
import { USER_PATTERN } from "../job/contract.ts";
import { UnrecoverableError } from "../errors.ts";
import { escapeControl } from "../util/escape.ts";
import { decideOwnership, normaliseDomain, type OwnershipDecision } from "../dns/ownership.ts";
import { type DbTarget, type OpenDbOptions, openPool, parseDatabaseUrl } from "./connect.ts";
import {
  type Domain,
  DomainRow,
  type DomainSyncUpdate,
  type FailureSummary,
  type Job,
  JOB_STATUSES,
  JobRow,
  type JobStatus,
  type JobView,
  type LogLineInput,
  LogRow,
  type User,
  UserRow,
  type UserStatus,
} from "./rows.ts";
import { type RemoteStore, remoteStore } from "./remotes.ts";

export { assertSchemaCurrent, migrate, MIGRATIONS, schemaStatus } from "./migrations.ts";
export type { Migration, SchemaStatus } from "./migrations.ts";
export {
  createDatabaseIfMissing,
  type DbTarget,
  type OpenDbOptions,
  parseDatabaseUrl,
  poolOptions,
} from "./connect.ts";
export * from "./rows.ts";
export * from "./remotes.ts";

/**
 * The storage the worker and CLI use.
 *
 * A job id belongs to one user: the job writes (`startJobs`, `requeueJob`, `finishJob`,
 * `appendLog`) check the row's user, and one naming another user throws an
 * {@linkcode UnrecoverableError} and changes nothing.
 */
export interface Db extends RemoteStore {
  /**
   * Creates an active user; throws a TypeError for a name outside USER_PATTERN
   * (lib/job/contract.ts) and a RangeError if the name is taken.
   */
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
   * Decides ownership (lib/dns/ownership.ts) and, when the domain is unowned and allowed,
   * records `user` as its owner; serialised across workers by a named lock.
   */
  claimDomain(user: string, name: string): Promise<OwnershipDecision>;
  /** Every domain, by name. */
  listAllDomains(): Promise<Domain[]>;
  /**
   * Records `user` as the owner of `name` with an existing hosted zone (the operator's
   * `domain assign`), under the claim lock and the ownership rule; a row of the user's
   * own without a hosted zone gets this one. Returns the row, or why it was not written.
   */
  assignDomain(
    user: string,
    name: string,
    zone: { hostedZoneId: string; nameservers: readonly string[] },
  ): Promise<Domain | { reason: string }>;
  /** Deletes the domain's row (never its hosted zone); the row it was, or null. */
  releaseDomain(name: string): Promise<Domain | null>;
  /**
   * The domains most overdue for a full reconcile (never, or last before `before`), most
   * overdue first, at most `limit`: only synced ones with a hosted zone, of active users
   * not expired.
   */
  overdueDomains(before: Date, limit: number): Promise<Domain[]>;
  /** Stores what a sync learned; false when there is no such domain. */
  updateDomainAfterSync(name: string, update: DomainSyncUpdate): Promise<boolean>;
  /**
   * Records `user`'s jobs as running (inserting the new ones) and counts the attempt,
   * all in one transaction of four statements however many jobs a sync covers. One
   * job id of another user throws and records none of them.
   */
  startJobs(
    user: string,
    jobs: readonly { uuid: string; commit?: string | null; queuedAt?: Date }[],
  ): Promise<void>;
  /** Puts a job back to `queued` after a transient failure, keeping the reason. */
  requeueJob(job: { uuid: string; user: string; error: string }): Promise<void>;
  /**
   * Records the final status (inserting the job if it never started, e.g. a covered
   * push) with the job's last log lines, in one transaction: a reader finds the status,
   * commit and lines together or none of them, and a write that fails half-way leaves
   * no lines behind for the retry to repeat.
   */
  finishJob(job: {
    uuid: string;
    user: string;
    status: "succeeded" | "failed";
    commit?: string | null;
    error?: string | null;
    coveredBy?: string | null;
    log?: readonly LogLineInput[];
  }): Promise<void>;
  /** The job, or null. */
  getJob(uuid: string): Promise<Job | null>;
  /** Appends log lines to the user's job, in order; the job's row must exist. */
  appendLog(job: { uuid: string; user: string }, lines: readonly LogLineInput[]): Promise<void>;
  /**
   * The job with its log as `logs UUID --json` prints it, or null; row and lines are
   * read in one statement, so they are of one moment.
   */
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

/** The mysql2 implementation; `pool` is exposed for migrations and tests. */
export interface MysqlDb extends Db {
  pool: Pool;
  target: DbTarget;
}

const MAX_MESSAGE = 4000;
const LOG_BATCH = 200;
const CLAIM_LOCK = "dnsapi_domain_claims";

/**
 * The log columns of a `jobs` row joined with one of its `job_logs` rows: a line, or
 * null for the one row of a job without lines (its log columns are all NULL).
 */
const JoinedLogRow = LogRow.or(z.object({ message: z.null() }).transform(() => null));

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
  return mysqlDb(await openPool(target, opts), target);
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

/**
 * A message or error as stored: customer-controlled text reaches every message column
 * through here, so control characters are escaped once, where they are written, and
 * what `logs` or a direct SQL query shows cannot repaint a terminal or forge a line.
 */
function clip(message: string): string {
  const safe = escapeControl(message);
  return safe.length > MAX_MESSAGE ? safe.slice(0, MAX_MESSAGE - 1) + "…" : safe;
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
  /** Runs `work` in a transaction on one connection; rolled back if anything throws. */
  async function transaction(work: (conn: PoolConnection) => Promise<void>): Promise<void> {
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      await work(conn);
      await conn.commit();
    } catch (error) {
      // Should the connection itself have broken, the server rolled back when it went;
      // the error to report is the one that stopped the work.
      await conn.rollback().catch(() => {});
      throw error;
    } finally {
      conn.release();
    }
  }
  /**
   * Locks the job's row (in the transaction of `conn`) and throws when it belongs to
   * another user, or, with `mustExist`, when there is none. Without the check a payload
   * reusing another customer's uuid would turn their job `failed` and add to their log.
   */
  async function lockJobOf(
    conn: PoolConnection,
    job: { uuid: string; user: string },
    mustExist = false,
  ): Promise<void> {
    await lockJobsOf(conn, job.user, [job.uuid], mustExist);
  }
  /** {@linkcode lockJobOf} for several jobs of one user, in one statement. */
  async function lockJobsOf(
    conn: PoolConnection,
    user: string,
    uuids: readonly string[],
    mustExist = false,
  ): Promise<void> {
    const [rows] = await conn.query<RowDataPacket[]>(
      "SELECT uuid, user FROM jobs WHERE uuid IN (?) FOR UPDATE",
      [uuids],
    );
    // Judged from the rows found, not by matching ids in JavaScript: SQL's comparison
    // (trailing spaces aside) is what the INSERT after this will match on too.
    const foreign = rows.find((r) => String(r.user) !== user);
    if (foreign !== undefined) {
      throw new UnrecoverableError(
        `Cannot write to job ${
          String(foreign.uuid)
        } for ${user}: the job id belongs to another user`,
      );
    }
    if (mustExist && rows.length < new Set(uuids).size) {
      const found = new Set(rows.map((r) => String(r.uuid)));
      const missing = uuids.filter((u) => !found.has(u)).join(", ") || uuids.join(", ");
      throw new UnrecoverableError(`Cannot write to job ${missing}: there is no such job`);
    }
  }
  async function insertLog(
    conn: Pool | PoolConnection,
    uuid: string,
    lines: readonly LogLineInput[],
  ): Promise<void> {
    for (let i = 0; i < lines.length; i += LOG_BATCH) {
      const batch = lines.slice(i, i + LOG_BATCH);
      const now = new Date();
      const values = batch.map(() => "(?, ?, ?, ?, ?)").join(", ");
      const params = batch.flatMap((l) => [
        uuid,
        l.ts ?? now,
        l.level,
        l.zone == null ? null : escapeControl(l.zone),
        clip(l.message),
      ]);
      await conn.query(
        `INSERT INTO job_logs (job_uuid, ts, level, zone, message) VALUES ${values}`,
        params,
      );
    }
  }
  /**
   * Runs `work` holding the named claim lock, so claims, assignments and releases of
   * domains happen one at a time across workers and the CLI.
   */
  async function underClaimLock<T>(work: (conn: PoolConnection) => Promise<T>): Promise<T> {
    const conn = await pool.getConnection();
    try {
      const [lock] = await conn.query<RowDataPacket[]>("SELECT GET_LOCK(?, 10) AS got", [
        CLAIM_LOCK,
      ]);
      if (lock[0]?.got !== 1) {
        throw new Error("Cannot claim a domain: the claim lock was busy for 10 s");
      }
      try {
        return await work(conn);
      } finally {
        await conn.query("SELECT RELEASE_LOCK(?)", [CLAIM_LOCK]);
      }
    } finally {
      conn.release();
    }
  }
  const setStatus = async (name: string, status: UserStatus) =>
    await exec("UPDATE users SET status = ? WHERE name = ?", [status, name]) > 0;

  return {
    pool,
    target,
    ...remoteStore(pool),
    async addUser(name, expiresAt = null) {
      if (!USER_PATTERN.test(name)) {
        throw new TypeError(
          `Cannot add user "${name}": the name must match ${USER_PATTERN.source}`,
        );
      }
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
      return await underClaimLock(async (conn) => {
        const decision = decideOwnership(user, name, await related(conn, name));
        if (decision.allowed && decision.claim) {
          await conn.query(
            `INSERT INTO domains (name, owner, nameservers, created_at, updated_at)
             VALUES (?, ?, '[]', UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`,
            [decision.zone, user],
          );
        }
        return decision;
      });
    },
    async listAllDomains() {
      return (await query("SELECT * FROM domains ORDER BY name")).map((r) => DomainRow.parse(r));
    },
    async assignDomain(user, name, zone) {
      return await underClaimLock(async (conn) => {
        const decision = decideOwnership(user, name, await related(conn, name));
        if (!decision.allowed) return { reason: decision.reason };
        const params = [zone.hostedZoneId, JSON.stringify(zone.nameservers), decision.zone];
        if (decision.claim) {
          await conn.query(
            `INSERT INTO domains (hosted_zone_id, nameservers, name, owner, created_at, updated_at)
             VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`,
            [...params, user],
          );
        } else {
          // The user's own row: only one that names no hosted zone yet takes this one.
          const [result] = await conn.query(
            `UPDATE domains SET hosted_zone_id = ?, nameservers = ?, last_synced_commit = NULL,
               last_full_sync_at = NULL, updated_at = UTC_TIMESTAMP(3)
             WHERE name = ? AND hosted_zone_id IS NULL`,
            params,
          );
          if (affected(result) === 0) {
            return {
              reason: `${decision.zone} already has a hosted zone recorded; release it first`,
            };
          }
        }
        const [rows] = await conn.query<RowDataPacket[]>("SELECT * FROM domains WHERE name = ?", [
          decision.zone,
        ]);
        return DomainRow.parse(rows[0]);
      });
    },
    async releaseDomain(name) {
      const zone = normaliseDomain(name);
      return await underClaimLock(async (conn) => {
        const [rows] = await conn.query<RowDataPacket[]>("SELECT * FROM domains WHERE name = ?", [
          zone,
        ]);
        if (rows.length === 0) return null;
        await conn.query("DELETE FROM domains WHERE name = ?", [zone]);
        return DomainRow.parse(rows[0]);
      });
    },
    async overdueDomains(before, limit) {
      const rows = await query(
        `SELECT d.* FROM domains d JOIN users u ON u.name = d.owner
         WHERE d.hosted_zone_id IS NOT NULL AND d.last_synced_commit IS NOT NULL
           AND (d.last_full_sync_at IS NULL OR d.last_full_sync_at < ?)
           AND u.status = 'active' AND (u.expires_at IS NULL OR u.expires_at > UTC_TIMESTAMP(3))
         ORDER BY d.last_full_sync_at IS NOT NULL, d.last_full_sync_at, d.name LIMIT ?`,
        [before, limit],
      );
      return rows.map((r) => DomainRow.parse(r));
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
    async startJobs(user, jobs) {
      if (jobs.length === 0) return;
      await transaction(async (conn) => {
        await lockJobsOf(conn, user, jobs.map((j) => j.uuid));
        await conn.query(
          `INSERT INTO jobs (uuid, user, status, attempts, commit_sha, queued_at, started_at)
           VALUES ${jobs.map(() => "(?, ?, 'running', 1, ?, ?, UTC_TIMESTAMP(3))").join(", ")}
           ON DUPLICATE KEY UPDATE status = 'running', attempts = attempts + 1,
             commit_sha = COALESCE(VALUES(commit_sha), commit_sha),
             started_at = UTC_TIMESTAMP(3), finished_at = NULL`,
          jobs.flatMap((j) => [j.uuid, user, j.commit ?? null, j.queuedAt ?? new Date()]),
        );
      });
    },
    async requeueJob(job) {
      await transaction(async (conn) => {
        await lockJobOf(conn, job);
        await conn.query(
          `INSERT INTO jobs (uuid, user, status, attempts, queued_at, error)
           VALUES (?, ?, 'queued', 0, UTC_TIMESTAMP(3), ?)
           ON DUPLICATE KEY UPDATE status = 'queued', error = VALUES(error)`,
          [job.uuid, job.user, clip(job.error)],
        );
      });
    },
    async finishJob(job) {
      await transaction(async (conn) => {
        await lockJobOf(conn, job);
        await insertLog(conn, job.uuid, job.log ?? []);
        await conn.query(
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
      });
    },
    getJob,
    async appendLog(job, lines) {
      await transaction(async (conn) => {
        await lockJobOf(conn, job, true);
        await insertLog(conn, job.uuid, lines);
      });
    },
    async getJobWithLogs(uuid) {
      // No log column shares a name with a jobs column, so both parse from one row.
      const rows = await query(
        `SELECT j.*, l.ts, l.level, l.zone, l.message
         FROM jobs j LEFT JOIN job_logs l ON l.job_uuid = j.uuid
         WHERE j.uuid = ? ORDER BY l.id`,
        [uuid],
      );
      if (rows.length === 0) return null;
      const job = JobRow.parse(rows[0]);
      const log: JobView["log"] = [];
      for (const r of rows) {
        const l = JoinedLogRow.parse(r);
        if (l) {
          log.push({ ts: l.ts.toISOString(), level: l.level, zone: l.zone, message: l.message });
        }
      }
      return { uuid: job.uuid, user: job.user, status: job.status, commit: job.commit, log };
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
