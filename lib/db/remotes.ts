/**
 * Registered remotes: the repository elsewhere (GitHub, GitLab, …) that the operator
 * registered for a user, how the worker authenticates to it, and the secret webhooks
 * for that user are signed with. The `remotes` table is migration 3.
 *
 * The credential (a deploy key's private half or an https token) and the webhook
 * secret are for the worker and the receiver only: nothing here prints them.
 *
 * @module
 */

import type { Pool } from "mysql2/promise";
import { z } from "zod";
import { USER_PATTERN } from "../job/contract.ts";

/** How the worker authenticates to a remote. */
export const REMOTE_AUTHS = ["none", "deploy-key", "token"] as const;
/** One of {@linkcode REMOTE_AUTHS}. */
export type RemoteAuth = typeof REMOTE_AUTHS[number];

/** Checks a `remotes` row and maps it to camelCase. */
export const RemoteRow = z.object({
  user: z.string(),
  url: z.string(),
  branch: z.string(),
  auth: z.enum(REMOTE_AUTHS),
  credential: z.string().nullable(),
  webhook_secret: z.string(),
  created_at: z.date(),
  updated_at: z.date(),
}).transform((r) => ({
  user: r.user,
  url: r.url,
  branch: r.branch,
  auth: r.auth,
  /** The OpenSSH private key (`deploy-key`), the token (`token`), or null (`none`). */
  credential: r.credential,
  /** Hex; the HMAC key (or GitLab token) the user's webhooks must carry. */
  webhookSecret: r.webhook_secret,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
}));
/** A user's registered remote. */
export type Remote = z.infer<typeof RemoteRow>;

/** What `setRemote` stores; the URL is checked by the caller (lib/remote/url.ts). */
export interface RemoteInput {
  url: string;
  branch: string;
  auth: RemoteAuth;
  /** Required for `deploy-key` and `token`, null for `none`. */
  credential: string | null;
}

/** What `setRemote` did: the row, and whether its webhook secret was made by this call. */
export interface SetRemoteResult {
  remote: Remote;
  /** True when the user had no remote before, so `remote.webhookSecret` is new. */
  newSecret: boolean;
}

/** The remote storage methods of the {@linkcode Db} interface (lib/db/mysql.ts). */
export interface RemoteStore {
  /** The user's registered remote, or null. */
  getRemote(user: string): Promise<Remote | null>;
  /**
   * Registers (or replaces) the user's remote. A new row gets a new webhook secret; a
   * replaced one keeps its secret, so the webhooks already configured keep working.
   * Throws a RangeError for an unknown user, a TypeError for a credential that does not
   * match `auth`.
   */
  setRemote(user: string, input: RemoteInput): Promise<SetRemoteResult>;
  /** Deletes the user's remote; false when there was none. */
  clearRemote(user: string): Promise<boolean>;
  /** Stores and returns a new webhook secret; null when the user has no remote. */
  rotateWebhookSecret(user: string): Promise<string | null>;
}

/** A new webhook secret: 32 random bytes as 64 hex digits. */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function affectedRows(result: unknown): number {
  if (typeof result === "object" && result !== null && "affectedRows" in result) {
    return typeof result.affectedRows === "number" ? result.affectedRows : 0;
  }
  return 0;
}

/** The mysql2 implementation of {@linkcode RemoteStore}. */
export function remoteStore(pool: Pool): RemoteStore {
  async function getRemote(user: string): Promise<Remote | null> {
    const [rows] = await pool.query("SELECT * FROM remotes WHERE user = ?", [user]);
    const list = Array.isArray(rows) ? rows : [];
    return list.length ? RemoteRow.parse(list[0]) : null;
  }
  return {
    getRemote,
    async setRemote(user, input) {
      if (!USER_PATTERN.test(user)) {
        throw new TypeError(`Cannot set a remote for "${user}": no such user name`);
      }
      if ((input.auth === "none") !== (input.credential === null)) {
        throw new TypeError(
          `Cannot set a remote for ${user}: auth ${input.auth} ` +
            (input.auth === "none" ? "takes no credential" : "needs a credential"),
        );
      }
      const [users] = await pool.query("SELECT name FROM users WHERE name = ?", [user]);
      if (!Array.isArray(users) || users.length === 0) {
        throw new RangeError(`Cannot set a remote for ${user}: there is no such user`);
      }
      const [result] = await pool.query(
        `INSERT INTO remotes (user, url, branch, auth, credential, webhook_secret, created_at,
           updated_at)
         VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))
         ON DUPLICATE KEY UPDATE url = VALUES(url), branch = VALUES(branch),
           auth = VALUES(auth), credential = VALUES(credential), updated_at = UTC_TIMESTAMP(3)`,
        [user, input.url, input.branch, input.auth, input.credential, newWebhookSecret()],
      );
      const remote = await getRemote(user);
      if (!remote) throw new Error(`Cannot set a remote for ${user}: the row vanished`);
      // MySQL counts 1 for an insert, 2 for an update of an existing row.
      return { remote, newSecret: affectedRows(result) === 1 };
    },
    async clearRemote(user) {
      const [result] = await pool.query("DELETE FROM remotes WHERE user = ?", [user]);
      return affectedRows(result) > 0;
    },
    async rotateWebhookSecret(user) {
      const secret = newWebhookSecret();
      const [result] = await pool.query(
        "UPDATE remotes SET webhook_secret = ?, updated_at = UTC_TIMESTAMP(3) WHERE user = ?",
        [secret, user],
      );
      return affectedRows(result) > 0 ? secret : null;
    },
  };
}
