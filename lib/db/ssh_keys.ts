/**
 * The `ssh_keys` table (migration 2): each customer's SSH public keys, one row per key,
 * the fingerprint unique across all customers. Kept apart from the {@linkcode Db} of
 * mysql.ts: only the key commands, the `NEW:SSHKEY` intake and the `authorized_keys`
 * writer use it.
 *
 * @module
 */

import type { RowDataPacket } from "mysql2/promise";
import { z } from "zod";
import { KEY_TYPES, type PublicKey } from "../keys/ssh_key.ts";
import type { HasPool } from "./migrations.ts";

/** Checks an `ssh_keys` row and maps it to camelCase. */
export const SshKeyRow = z.object({
  fingerprint: z.string(),
  user: z.string(),
  type: z.enum(KEY_TYPES),
  public_key: z.string(),
  comment: z.string(),
  added_at: z.date(),
}).transform((r) => ({
  fingerprint: r.fingerprint,
  user: r.user,
  type: r.type,
  base64: r.public_key,
  comment: r.comment,
  addedAt: r.added_at,
}));
/** A registered key. */
export type SshKey = z.infer<typeof SshKeyRow>;

/** Storage of the customers' keys. */
export interface SshKeyStore {
  /**
   * Registers a checked key for `user`; the reason when it is not: no such user, or the
   * key is registered already (to this user or another).
   */
  addKey(user: string, key: PublicKey): Promise<{ added: SshKey } | { reason: string }>;
  /** The registered key, or null. */
  getKey(fingerprint: string): Promise<SshKey | null>;
  /** Deletes the user's key; false when the user has no key with that fingerprint. */
  removeKey(user: string, fingerprint: string): Promise<boolean>;
  /** The user's keys, oldest first. */
  listKeys(user: string): Promise<SshKey[]>;
  /** The keys of users who may log in at `now` (active, not expired), by user, oldest first. */
  activeKeys(now: Date): Promise<SshKey[]>;
  /**
   * A short digest of which keys {@linkcode activeKeys} would return at `now`: it changes
   * when a key is added or removed, or a user banned, unbanned or expired, by any
   * process, so a keeper can poll it cheaply.
   */
  activeDigest(now: Date): Promise<string>;
}

const ACTIVE = "u.status = 'active' AND (u.expires_at IS NULL OR u.expires_at > ?)";

function errorCode(error: unknown): unknown {
  return error instanceof Error && "code" in error ? error.code : undefined;
}

/**
 * The key store over a mysql2 pool (a {@linkcode MysqlDb} has one).
 *
 * @example
 * ```ts
 * const keys = sshKeyStore(await openDb(url));
 * await keys.listKeys("ann");
 * ```
 */
export function sshKeyStore(db: HasPool): SshKeyStore {
  const rows = async (sql: string, params: unknown[]): Promise<SshKey[]> => {
    const [result] = await db.pool.query<RowDataPacket[]>(sql, params);
    return result.map((r) => SshKeyRow.parse(r));
  };
  const getKey = async (fingerprint: string) =>
    (await rows("SELECT * FROM ssh_keys WHERE fingerprint = ?", [fingerprint]))[0] ?? null;
  return {
    async addKey(user, key) {
      try {
        await db.pool.query(
          `INSERT INTO ssh_keys (fingerprint, user, type, public_key, comment, added_at)
           VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3))`,
          [key.fingerprint, user, key.type, key.base64, key.comment],
        );
      } catch (error) {
        const code = errorCode(error);
        if (code === "ER_NO_REFERENCED_ROW_2") return { reason: `no user ${user} exists` };
        if (code !== "ER_DUP_ENTRY") throw error;
        const owner = (await getKey(key.fingerprint))?.user;
        return {
          reason: owner === user
            ? `the key ${key.fingerprint} is registered to ${user} already`
            : `the key ${key.fingerprint} is registered to another account (${owner})`,
        };
      }
      const added = await getKey(key.fingerprint);
      if (!added) throw new Error(`Cannot add key ${key.fingerprint}: the row vanished`);
      return { added };
    },
    getKey,
    async removeKey(user, fingerprint) {
      const [result] = await db.pool.query(
        "DELETE FROM ssh_keys WHERE user = ? AND fingerprint = ?",
        [user, fingerprint],
      );
      return "affectedRows" in result && result.affectedRows > 0;
    },
    listKeys: (user) =>
      rows("SELECT * FROM ssh_keys WHERE user = ? ORDER BY added_at, fingerprint", [user]),
    activeKeys: (now) =>
      rows(
        `SELECT k.* FROM ssh_keys k JOIN users u ON u.name = k.user WHERE ${ACTIVE}
         ORDER BY k.user, k.added_at, k.fingerprint`,
        [now],
      ),
    async activeDigest(now) {
      // Count, XOR and sum of a CRC per key: one row back, whatever the number of keys.
      const [result] = await db.pool.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS n, COALESCE(BIT_XOR(c), 0) AS x, COALESCE(SUM(c), 0) AS s FROM (
           SELECT CRC32(CONCAT(k.fingerprint, ' ', k.user)) AS c
           FROM ssh_keys k JOIN users u ON u.name = k.user WHERE ${ACTIVE}) active`,
        [now],
      );
      const row = z.object({ n: z.coerce.string(), x: z.coerce.string(), s: z.coerce.string() })
        .parse(result[0]);
      return `${row.n}:${row.x}:${row.s}`;
    },
  };
}
