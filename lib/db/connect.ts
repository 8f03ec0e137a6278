/**
 * Connecting to MySQL/MariaDB from a `DATABASE_URL`: parsing, a checked pool with a
 * short connect timeout, and creating the database. Errors name host, port, database
 * and user, never the password.
 *
 * @module
 */

import mysql from "mysql2/promise";
import type { Pool, PoolOptions } from "mysql2/promise";

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
  /**
   * TLS, from the URL's `?ssl=true` (the system's trusted roots) or `?ssl-ca=/path/ca.pem`
   * (the CA the server's certificate must chain to); the server's certificate is checked,
   * its chain and the host's name (so the host must be a name, not an address).
   */
  tls?: { caFile?: string };
}

/**
 * Parses `mysql://user:pass@host:3306/db` (user and password URL-encoded), with
 * `?ssl=true` or `?ssl-ca=/path/ca.pem` for TLS. Throws a TypeError that never repeats
 * the password.
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
  const target: DbTarget = {
    host: u.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username) || "root",
    password: decodeURIComponent(u.password),
    database,
  };
  const tls = tlsOf(u.searchParams);
  if (tls && isIpAddress(target.host)) {
    // mysql2 names the server to TLS only when the host is a name; given an address,
    // Deno checks the certificate against "localhost" instead of it.
    throw new TypeError(
      `Cannot use DATABASE_URL: with TLS the host must be the name on the server's ` +
        `certificate, not the address ${target.host}`,
    );
  }
  if (tls) target.tls = tls;
  return target;
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

function tlsOf(params: URLSearchParams): DbTarget["tls"] {
  let tls: DbTarget["tls"];
  for (const [name, value] of params) {
    if (name === "ssl") {
      if (!/^(true|1|false|0)$/.test(value)) {
        throw new TypeError(`Cannot use DATABASE_URL: ssl=${value} is not true or false`);
      }
      if (value === "true" || value === "1") tls ??= {};
    } else if (name === "ssl-ca") {
      if (!value.startsWith("/")) {
        throw new TypeError("Cannot use DATABASE_URL: ssl-ca must be an absolute path");
      }
      tls = { caFile: value };
    } else {
      throw new TypeError(
        `Cannot use DATABASE_URL: unknown parameter "${name}" (known: ssl, ssl-ca)`,
      );
    }
  }
  return tls;
}

/**
 * mysql2's pool options for the target: TLS (`ssl`, with the CA file's PEM read here)
 * when the URL asked for it.
 */
export function poolOptions(target: DbTarget, opts: OpenDbOptions = {}): PoolOptions {
  return {
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
    ...sslOptions(target),
  };
}

function sslOptions(target: DbTarget): Pick<PoolOptions, "ssl"> {
  if (!target.tls) return {};
  const { caFile } = target.tls;
  // mysql2 checks only the chain unless told to verify identity too: without it, any
  // certificate the CA signed, for any name, would pass for the database server's.
  const checks = { rejectUnauthorized: true, verifyIdentity: true };
  return { ssl: { ...checks, ...(caFile ? { ca: readCa(caFile) } : {}) } };
}

function readCa(file: string): string {
  try {
    return Deno.readTextFileSync(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot read the DATABASE_URL ssl-ca file ${file}: ${reason}`, {
      cause: error,
    });
  }
}

function describeTarget(t: DbTarget): string {
  return `at ${t.host}:${t.port} (database ${t.database}, user ${t.user})`;
}

/**
 * Opens a pool for the target and checks it with one round trip, so a wrong host,
 * password or database fails here with a clear message.
 */
export async function openPool(target: DbTarget, opts: OpenDbOptions = {}): Promise<Pool> {
  const pool = mysql.createPool(poolOptions(target, opts));
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
      ...sslOptions(target),
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
