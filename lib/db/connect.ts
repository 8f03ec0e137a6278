/**
 * Connecting to MySQL/MariaDB from a `DATABASE_URL`: parsing, a checked pool with a
 * short connect timeout, and creating the database. Errors name host, port, database
 * and user, never the password.
 *
 * @module
 */

import mysql from "mysql2/promise";
import type { Pool } from "mysql2/promise";

/** Options for opening a pool (`openDb` in lib/db.ts). */
export interface OpenDbOptions {
  /** Connect timeout in ms (default 3000): a dead server fails fast and clearly. */
  connectTimeoutMs?: number;
  /** Pool size (default 4). */
  connectionLimit?: number;
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

/**
 * Opens a pool for the target and checks it with one round trip, so a wrong host,
 * password or database fails here with a clear message.
 */
export async function openPool(target: DbTarget, opts: OpenDbOptions = {}): Promise<Pool> {
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
  return pool;
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
