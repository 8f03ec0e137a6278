/**
 * The database schema as an ordered list of migrations, embedded in code (the worker
 * ships as a `deno compile` binary, so nothing is read from disk at run time), and the
 * runner that applies them.
 *
 * Each migration is a version number and a list of statements. Versions are applied
 * in ascending order and recorded in `schema_migrations`; a version once released is
 * never edited, only followed by a new one.
 *
 * @module
 */

import type { Pool, PoolConnection, RowDataPacket } from "mysql2/promise";
import { z } from "zod";
import { messageOf } from "../util/message.ts";

/** One schema step: applied once, recorded under its version. */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/** Identifier columns compare byte-wise: names are normalised to lower case before storage. */
const NAME = "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";

/** Every migration the code knows, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "users, domains, jobs, job_logs",
    statements: [
      `CREATE TABLE users (
        name VARCHAR(64) ${NAME} NOT NULL PRIMARY KEY,
        status ENUM('active', 'banned', 'suspended') NOT NULL DEFAULT 'active',
        expires_at DATETIME(3) NULL,
        created_at DATETIME(3) NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      `CREATE TABLE domains (
        name VARCHAR(253) ${NAME} NOT NULL PRIMARY KEY,
        owner VARCHAR(64) ${NAME} NOT NULL,
        hosted_zone_id VARCHAR(64) NULL,
        nameservers TEXT NOT NULL,
        last_synced_commit VARCHAR(64) NULL,
        last_full_sync_at DATETIME(3) NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        KEY domains_owner (owner),
        CONSTRAINT domains_owner_fk FOREIGN KEY (owner) REFERENCES users (name)
          ON UPDATE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      // No foreign key to users: a job naming an unknown user is still recorded,
      // failed with that reason.
      `CREATE TABLE jobs (
        uuid CHAR(36) ${NAME} NOT NULL PRIMARY KEY,
        user VARCHAR(64) ${NAME} NOT NULL,
        status ENUM('queued', 'running', 'succeeded', 'failed') NOT NULL,
        attempts INT NOT NULL DEFAULT 0,
        commit_sha VARCHAR(64) NULL,
        covered_by CHAR(36) ${NAME} NULL,
        queued_at DATETIME(3) NULL,
        started_at DATETIME(3) NULL,
        finished_at DATETIME(3) NULL,
        error TEXT NULL,
        KEY jobs_user (user),
        KEY jobs_status_finished (status, finished_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      `CREATE TABLE job_logs (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        job_uuid CHAR(36) ${NAME} NOT NULL,
        ts DATETIME(3) NOT NULL,
        level ENUM('info', 'warn', 'error') NOT NULL,
        zone VARCHAR(253) NULL,
        message TEXT NOT NULL,
        KEY job_logs_job (job_uuid, id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    ],
  },
  {
    version: 2,
    name: "ssh_keys",
    statements: [
      // The fingerprint is the key: one key, one account (a key shared by two customers
      // would let either push as the other).
      `CREATE TABLE ssh_keys (
        fingerprint VARCHAR(64) ${NAME} NOT NULL PRIMARY KEY,
        user VARCHAR(64) ${NAME} NOT NULL,
        type VARCHAR(64) ${NAME} NOT NULL,
        public_key TEXT ${NAME} NOT NULL,
        comment VARCHAR(1024) NOT NULL DEFAULT '',
        added_at DATETIME(3) NOT NULL,
        KEY ssh_keys_user (user),
        CONSTRAINT ssh_keys_user_fk FOREIGN KEY (user) REFERENCES users (name)
          ON UPDATE CASCADE ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    ],
  },
  {
    version: 3,
    name: "remotes",
    statements: [
      // credential: the deploy key's private half or the https token, for the worker only.
      `CREATE TABLE remotes (
        user VARCHAR(64) ${NAME} NOT NULL PRIMARY KEY,
        url VARCHAR(2048) NOT NULL,
        branch VARCHAR(255) NOT NULL,
        auth ENUM('none', 'deploy-key', 'token') NOT NULL,
        credential TEXT NULL,
        webhook_secret CHAR(64) NOT NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        CONSTRAINT remotes_user_fk FOREIGN KEY (user) REFERENCES users (name)
          ON UPDATE CASCADE ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    ],
  },
];

/** Where a database stands against a list of migrations. */
export interface SchemaStatus {
  /** Highest applied version; 0 for an empty database. */
  current: number;
  /** Highest version the code knows. */
  latest: number;
  /** Known versions not applied yet, ascending. */
  pending: number[];
}

/** Anything holding a mysql2 pool (the {@linkcode MysqlDb} of lib/db.ts does). */
export interface HasPool {
  pool: Pool;
}

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  applied_at DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

const VersionRow = z.object({ version: z.number().int() });

async function appliedVersions(conn: Pool | PoolConnection): Promise<number[]> {
  const [tables] = await conn.query<RowDataPacket[]>(
    "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
    ["schema_migrations"],
  );
  if (tables.length === 0) return [];
  const [rows] = await conn.query<RowDataPacket[]>("SELECT version FROM schema_migrations");
  return rows.map((r) => VersionRow.parse(r).version).sort((a, b) => a - b);
}

function check(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    const prev = migrations[i - 1];
    const cur = migrations[i];
    if (prev && cur && cur.version <= prev.version) {
      throw new RangeError(
        `Cannot use migrations: version ${cur.version} follows ${prev.version}; versions must ascend`,
      );
    }
  }
}

/**
 * Reports the applied and known schema versions, so the worker can refuse to start on
 * an out-of-date schema (see {@linkcode assertSchemaCurrent}).
 *
 * @example
 * ```ts
 * const { current, latest } = await schemaStatus(db);
 * ```
 */
export async function schemaStatus(
  db: HasPool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<SchemaStatus> {
  check(migrations);
  const applied = await appliedVersions(db.pool);
  const done = new Set(applied);
  return {
    current: applied.at(-1) ?? 0,
    latest: migrations.at(-1)?.version ?? 0,
    pending: migrations.filter((m) => !done.has(m.version)).map((m) => m.version),
  };
}

/**
 * Throws an Error telling the operator to run `migrate` unless the schema is exactly at
 * the version this code knows (an older worker must not run against a newer schema either).
 */
export function assertSchemaCurrent(status: SchemaStatus): void {
  if (status.pending.length === 0 && status.current === status.latest) return;
  if (status.current > status.latest) {
    throw new Error(
      `Cannot start: the database schema is at version ${status.current}, newer than this ` +
        `worker's ${status.latest}; upgrade the worker`,
    );
  }
  throw new Error(
    `Cannot start: the database schema is at version ${status.current}, this worker needs ` +
      `${status.latest}; run \`dns-api-worker migrate\` (or \`deno task worker migrate\`)`,
  );
}

/**
 * Applies the pending migrations in order and records each one; running it again does
 * nothing. A named lock keeps two workers migrating at once from colliding.
 *
 * @returns the versions applied by this call.
 * @example
 * ```ts
 * const applied = await migrate(db); // [1] on an empty database, [] afterwards
 * ```
 */
export async function migrate(
  db: HasPool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  check(migrations);
  const conn = await db.pool.getConnection();
  try {
    const [lock] = await conn.query<RowDataPacket[]>(
      "SELECT GET_LOCK('dnsapi_migrate', 30) AS got",
    );
    if (lock[0]?.got !== 1) {
      throw new Error("Cannot migrate: another process held the migration lock for 30 s");
    }
    try {
      await conn.query(CREATE_MIGRATIONS_TABLE);
      const done = new Set(await appliedVersions(conn));
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        // DDL commits implicitly in MySQL, so a migration is not atomic; each statement
        // is written to fail loudly rather than half-apply silently.
        for (const sql of m.statements) {
          try {
            await conn.query(sql);
          } catch (cause) {
            throw new Error(
              `Cannot apply migration ${m.version} (${m.name}): ${messageOf(cause)}`,
              { cause },
            );
          }
        }
        await conn.query(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, UTC_TIMESTAMP(3))",
          [m.version, m.name],
        );
        applied.push(m.version);
      }
      return applied;
    } finally {
      await conn.query("SELECT RELEASE_LOCK('dnsapi_migrate')");
    }
  } finally {
    conn.release();
  }
}
