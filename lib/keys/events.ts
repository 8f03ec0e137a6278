/**
 * `NEW:SSHKEY` events from the website: a Redis list or set (default key `NEW:SSHKEY`,
 * no prefix, like `NEW:USER`) of `{"user":"U","key":"ssh-ed25519 AAAA… comment"}` (add)
 * and `{"user":"U","remove":"SHA256:…"}` (remove) payloads.
 *
 * An event leaves Redis only once applied: payloads are read without removing them,
 * applied, then removed by their exact bytes. One that cannot be applied (bad JSON, a
 * refused key, no such user) is moved in the same step to the queue's `invalid` list
 * with the reason; one that fails for a passing cause (MySQL away) stays and is tried on
 * the next round. Applying is idempotent, so an event applied by a worker that died
 * before removing it changes nothing the second time.
 *
 * @module
 */

import type { Redis } from "ioredis";
import { Buffer } from "node:buffer";
import { PEEK_LEGACY, SET_ASIDE_LEGACY } from "../queue/lua.ts";
import { USER_PATTERN } from "../job/contract.ts";
import { isFingerprint, type PublicKey, readPublicKey } from "./ssh_key.ts";

/** One event, read. */
export type KeyEvent = { user: string; key: string } | { user: string; remove: string };

/** What applying an event needs of the key store (lib/db.ts's `SshKeyStore` has it). */
export interface KeyEventStore {
  addKey(user: string, key: PublicKey): Promise<{ added: unknown } | { reason: string }>;
  getKey(fingerprint: string): Promise<{ user: string } | null>;
  removeKey(user: string, fingerprint: string): Promise<boolean>;
}

/** What applying one event did: a change, nothing (already so), or why it was refused. */
export type KeyEventOutcome =
  | { changed: boolean; message: string }
  | { reason: string };

/** Options of {@linkcode takeKeyEvents}. */
export interface KeyIntakeOptions {
  /** The events' key, e.g. `NEW:SSHKEY`. */
  key: string;
  /** The queue's key prefix: refused events go to `<prefix>invalid`. */
  prefix: string;
  store: KeyEventStore;
  log: (entry: { level: "info" | "warn"; event: "ssh-key"; message: string }) => void;
  /** Most events per call (default 50). */
  limit?: number;
}

/** One payload's event, or why it cannot be one. */
export function parseKeyEvent(raw: string): KeyEvent | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { reason: "not valid JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { reason: "not a JSON object" };
  }
  const { user, key, remove } = value as Record<string, unknown>;
  if (typeof user !== "string") return { reason: 'no "user" string' };
  if (!USER_PATTERN.test(user)) {
    return { reason: `"${user.slice(0, 70)}" is not a valid user name` };
  }
  if (typeof key === "string" && remove === undefined) return { user, key };
  if (typeof remove === "string" && key === undefined) return { user, remove };
  return { reason: 'needs exactly one of "key" (to add) or "remove" (a SHA256: fingerprint)' };
}

/**
 * Applies one event to the store. Adding a key the user has already, or removing one
 * that is gone, is success without change; a key of another account is refused.
 */
export async function applyKeyEvent(
  store: KeyEventStore,
  event: KeyEvent,
): Promise<KeyEventOutcome> {
  const { user } = event;
  if ("key" in event) {
    const read = await readPublicKey(event.key);
    if ("reason" in read) return read;
    const owner = (await store.getKey(read.key.fingerprint))?.user;
    if (owner === user) {
      return { changed: false, message: `${user} has the key ${read.key.fingerprint} already` };
    }
    const added = await store.addKey(user, read.key);
    if ("reason" in added) return added;
    return { changed: true, message: `added key ${read.key.fingerprint} for ${user}` };
  }
  if (!isFingerprint(event.remove)) {
    return { reason: `"${event.remove.slice(0, 80)}" is not a SHA256: fingerprint` };
  }
  if (await store.removeKey(user, event.remove)) {
    return { changed: true, message: `removed key ${event.remove} of ${user}` };
  }
  const owner = (await store.getKey(event.remove))?.user;
  if (owner !== undefined) {
    return { reason: `the key ${event.remove} belongs to another account, not ${user}` };
  }
  return { changed: false, message: `${user} has no key ${event.remove}; nothing to remove` };
}

/**
 * Takes in up to `limit` events; resolves to how many changed a user's keys (when any
 * did, `authorized_keys` is due a rewrite). A failure that is not the event's fault
 * stops the round and leaves the event in Redis.
 *
 * @example
 * ```ts
 * const changed = await takeKeyEvents(redis, { key: "NEW:SSHKEY", prefix: "dnsapi:", store, log });
 * ```
 */
export async function takeKeyEvents(redis: Redis, options: KeyIntakeOptions): Promise<number> {
  const { key, prefix, store, log } = options;
  const reply = await redis.callBuffer("EVAL", PEEK_LEGACY, 1, key, options.limit ?? 50);
  if (!Array.isArray(reply) || !Buffer.isBuffer(reply[0])) return 0;
  const kind = reply[0].toString();
  if (kind !== "list" && kind !== "set") return 0;
  const payloads = Array.isArray(reply[1]) ? reply[1].filter((b) => Buffer.isBuffer(b)) : [];
  let changed = 0;
  for (const bytes of payloads) {
    let text: string | undefined;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      text = undefined;
    }
    const event = text === undefined ? { reason: "not UTF-8" } : parseKeyEvent(text);
    // The store's errors (MySQL away) propagate: the event stays for the next round.
    const outcome = "reason" in event ? event : await applyKeyEvent(store, event);
    if ("reason" in outcome) {
      const entry = JSON.stringify({
        source: key,
        reason: outcome.reason,
        raw: new TextDecoder().decode(bytes).slice(0, 2000),
        at: new Date().toISOString(),
      });
      const moved = await redis.eval(SET_ASIDE_LEGACY, 1, key, prefix, kind, bytes, entry);
      if (moved === 1) {
        log({
          level: "warn",
          event: "ssh-key",
          message: `${key} event set aside: ${outcome.reason}`,
        });
      }
      continue;
    }
    const removed = kind === "set" ? await redis.srem(key, bytes) : await redis.lrem(key, 1, bytes);
    if (outcome.changed) changed++;
    log({
      level: "info",
      event: "ssh-key",
      message: removed ? outcome.message : `${outcome.message} (another worker took it too)`,
    });
  }
  return changed;
}
