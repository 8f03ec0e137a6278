/**
 * MySQL: the {@linkcode Db} interface the worker uses (users, domains, jobs, job
 * logs), its mysql2 implementation, connection settings and the embedded migrations.
 * Parameterised queries only. The code lives in `lib/db/`.
 *
 * @module
 */

export * from "./db/mysql.ts";
export {
  createDatabaseIfMissing,
  type DbTarget,
  type OpenDbOptions,
  parseDatabaseUrl,
  poolOptions,
} from "./db/connect.ts";
export { type SshKey, SshKeyRow, type SshKeyStore, sshKeyStore } from "./db/ssh_keys.ts";
