/**
 * When `authorized_keys` is rewritten, and from what: the active users' keys as MySQL
 * holds them at that moment. Every writer (the worker, each CLI command) takes an
 * exclusive lock on `<file>.lock` around reading and writing, so two of them at once
 * cannot leave the older read in place.
 *
 * @module
 */

import { dirname } from "node:path";
import { authorizedKeysText, type UserKey, writeAuthorizedKeys } from "./authorized_keys.ts";

/** What the keeper reads (lib/db.ts's `SshKeyStore` has it). */
export interface ActiveKeySource {
  activeKeys(now: Date): Promise<UserKey[]>;
  /** The earliest expiry after `since` of a user who was active then and has a key. */
  nextExpiry(since: Date): Promise<Date | null>;
}

/** Keeps one `authorized_keys` file. */
export interface AuthorizedKeysKeeper {
  /** Rewrites the file now; resolves to the number of keys in it. */
  write(): Promise<number>;
  /**
   * Rewrites the file when an expiry passed since the last write (the worker calls it on
   * every intake tick); resolves to the number of keys written, or null if not due.
   */
  tick(): Promise<number | null>;
}

/**
 * A keeper for the file at `path`, forcing the hook command `hook` (its words, as
 * lib/git/repos.ts builds them) for every key.
 *
 * @example
 * ```ts
 * const keeper = authorizedKeysKeeper("/home/git/.ssh/authorized_keys", ["/usr/local/bin/dns-api-hook"], sshKeyStore(db));
 * await keeper.write();
 * ```
 */
export function authorizedKeysKeeper(
  path: string,
  hook: readonly string[],
  source: ActiveKeySource,
  now: () => Date = () => new Date(),
): AuthorizedKeysKeeper {
  let writtenAt: Date | undefined;
  const write = async () => {
    await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const lock = await Deno.open(`${path}.lock`, { write: true, create: true, mode: 0o600 });
    try {
      await lock.lock(true);
      const at = now();
      const keys = await source.activeKeys(at);
      await writeAuthorizedKeys(path, authorizedKeysText(hook, keys));
      writtenAt = at;
      return keys.length;
    } finally {
      lock.close();
    }
  };
  return {
    write,
    async tick() {
      if (writtenAt === undefined) return await write();
      const due = await source.nextExpiry(writtenAt);
      return due !== null && due.getTime() <= now().getTime() ? await write() : null;
    },
  };
}
