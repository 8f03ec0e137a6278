/**
 * When `authorized_keys` is rewritten, and from what: the active users' keys as MySQL
 * holds them at that moment. Every writer (the worker, each CLI command) takes an
 * exclusive lock on the file's directory around reading and writing, so two of them at
 * once cannot leave the older read in place.
 *
 * @module
 */

import { dirname } from "node:path";
import {
  authorizedKeysText,
  readWorkerKeys,
  type UserKey,
  writeAuthorizedKeys,
} from "./authorized_keys.ts";

/** What the keeper reads (lib/db.ts's `SshKeyStore` has it). */
export interface ActiveKeySource {
  activeKeys(now: Date): Promise<UserKey[]>;
  /** Changes whenever the keys `activeKeys(now)` returns would. */
  activeDigest(now: Date): Promise<string>;
}

/** Keeps one `authorized_keys` file. */
export interface AuthorizedKeysKeeper {
  /** Rewrites the file now; resolves to the number of keys in it. */
  write(): Promise<number>;
  /**
   * Rewrites the file when the active keys changed since the last write: an expiry that
   * passed, a ban or a key added by another process or host (the worker calls it on
   * every intake tick); resolves to the number of keys written, or null if not due.
   */
  tick(): Promise<number | null>;
}

/**
 * A keeper for the file at `path`, forcing the hook command `hook` (its words, as
 * lib/git/repos.ts builds them) for every key; `workerKeys` is the operator's file of
 * worker public keys (DNSAPI_WORKER_KEYS), re-read on every write and tick.
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
  workerKeys?: string,
): AuthorizedKeysKeeper {
  let written: string | undefined;
  // The worker keys file's text is part of what was written: an edit there rewrites too.
  const workerText = () =>
    workerKeys === undefined ? "" : Deno.readTextFile(workerKeys).catch(() => "(unreadable)");
  const write = async () => {
    await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // The lock is the directory's own (flock on it), so no lock file of another owner is
    // left beside the keys when root runs a command once.
    const lock = await Deno.open(dirname(path), { read: true });
    try {
      await lock.lock(true);
      const at = now();
      // Read first: a change between the two reads makes the next tick write again.
      const digest = `${await source.activeDigest(at)}\n${await workerText()}`;
      const keys = await source.activeKeys(at);
      const workers = workerKeys === undefined ? [] : await readWorkerKeys(workerKeys);
      await writeAuthorizedKeys(path, authorizedKeysText(hook, keys, workers));
      written = digest;
      return keys.length;
    } finally {
      lock.close();
    }
  };
  return {
    write,
    async tick() {
      if (written === undefined) return await write();
      const digest = `${await source.activeDigest(now())}\n${await workerText()}`;
      return digest === written ? null : await write();
    },
  };
}
