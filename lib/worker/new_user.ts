/**
 * NEW:USER events, as the original service's signup flow sent them: a Redis list or
 * set (default key `NEW:USER`, no prefix) of `{"user": "name"}` payloads (a bare name is
 * accepted too). Each event creates the user in MySQL and the bare repository with its
 * hooks, exactly as `user add` does.
 *
 * An event is read without removing it (the legacy intake's PEEK_LEGACY) and removed,
 * by its exact bytes, only once the user and the repository exist: a worker dying
 * between the two, or a creation failing, loses no signup. A failed creation is tried
 * again after a backoff; after `maxAttempts` failures, and at once for a payload that
 * names no valid user, the event is set aside into the queue's `invalid` list with the
 * reason (SET_ASIDE_LEGACY), where `status` counts it and the operator can repeat it
 * with `user add`. Creation is idempotent, so two workers reading one event is harmless.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Redis } from "ioredis";
import { USER_PATTERN } from "../job/contract.ts";
import { backoffMs } from "../queue/backoff.ts";
import { clipPayload, NOT_UTF8 } from "../queue/legacy.ts";
import { PEEK_LEGACY, SET_ASIDE_LEGACY } from "../queue/lua.ts";
import { escapeControl } from "../util/escape.ts";
import { messageOf } from "../util/message.ts";

/** One event's user name, or why the payload was refused. */
export function parseNewUserEvent(raw: string): { user: string } | { reason: string } {
  let user: unknown = raw.trim();
  if (raw.trim().startsWith("{")) {
    try {
      const value: unknown = JSON.parse(raw);
      user = typeof value === "object" && value !== null && "user" in value
        ? value.user
        : undefined;
    } catch {
      return { reason: "not valid JSON" };
    }
  }
  if (typeof user !== "string") return { reason: 'no "user" string' };
  if (!USER_PATTERN.test(user)) {
    return { reason: `"${escapeControl(user)}" is not a valid user name` };
  }
  return { user };
}

/** Where the NEW:USER intake reads and writes, and what it does with each user. */
export interface NewUserIntakeOptions {
  /** The event key, without prefix (`NEW:USER`). */
  key: string;
  /** The queue's key prefix: set-aside events go to `<prefix>invalid`. */
  prefix: string;
  /** Creates the user and the repository; resolves once both exist. */
  create: (user: string) => Promise<void>;
  /** One line for the operator's log. */
  report: (level: "info" | "warn", message: string) => void;
  /** Failed creations before the event is set aside (default 8, about ten minutes). */
  maxAttempts?: number;
  /** Delays between attempts (default 5 s doubling to 5 min). */
  backoff?: { baseMs: number; maxMs: number };
  /** The clock, for tests. */
  now?: () => number;
}

/** The reason an event is set aside with after its last failed creation. */
export function creationFailedReason(user: string, attempts: number, error: string): string {
  return `cannot create ${user} after ${attempts} attempts (last: ${error}); ` +
    `run \`user add ${user}\``;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Returns a function that takes in up to `limit` events and resolves to how many users
 * it created. Attempts are counted in Redis (`<prefix>new-user:attempts`, by payload),
 * so every worker sees the same count and a restart does not reset it.
 *
 * @example
 * ```ts
 * const intake = newUserIntake(redis, { key: "NEW:USER", prefix: "dnsapi:", create, report });
 * await intake();
 * ```
 */
export function newUserIntake(
  redis: Redis,
  options: NewUserIntakeOptions,
): (limit?: number) => Promise<number> {
  const { key, prefix, report } = options;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoff = options.backoff ?? { baseMs: 5_000, maxMs: 300_000 };
  const now = options.now ?? Date.now;
  const attemptsKey = `${prefix}new-user:attempts`;

  /** Removes the exact payload and sets it aside; false if another worker took it. */
  const setAside = async (kind: string, bytes: Buffer, text: string, reason: string) => {
    const entry = JSON.stringify({
      source: key,
      reason,
      raw: clipPayload(text),
      at: new Date(now()).toISOString(),
    });
    const moved = await redis.eval(SET_ASIDE_LEGACY, 1, key, prefix, kind, bytes, entry);
    await redis.hdel(attemptsKey, bytes);
    if (moved === 1) report("warn", `${key} event set aside: ${reason}`);
  };

  /** Removes the exact payload once its user exists. */
  const remove = async (kind: string, bytes: Buffer) => {
    if (kind === "set") await redis.srem(key, bytes);
    else await redis.lrem(key, 1, bytes);
    await redis.hdel(attemptsKey, bytes);
  };

  /** The failures so far and when the next attempt is due. */
  const attemptsOf = async (bytes: Buffer): Promise<{ failed: number; dueAt: number }> => {
    const [failed, dueAt] = (await redis.hget(attemptsKey, bytes) ?? "0 0").split(" ").map(
      Number,
    );
    return { failed: failed || 0, dueAt: dueAt || 0 };
  };

  return async (limit = 20) => {
    const reply = await redis.callBuffer("EVAL", PEEK_LEGACY, 1, key, limit);
    if (!Array.isArray(reply) || !Buffer.isBuffer(reply[0])) return 0;
    const kind = reply[0].toString();
    if (kind !== "set" && kind !== "list") return 0;
    const items: unknown[] = Array.isArray(reply[1]) ? reply[1] : [];
    let created = 0;
    for (const bytes of items) {
      if (!Buffer.isBuffer(bytes)) continue;
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        await setAside(kind, bytes, new TextDecoder().decode(bytes), NOT_UTF8);
        continue;
      }
      const event = parseNewUserEvent(text);
      if ("reason" in event) {
        await setAside(kind, bytes, text, event.reason);
        continue;
      }
      const { failed, dueAt } = await attemptsOf(bytes);
      if (now() < dueAt) continue;
      try {
        await options.create(event.user);
      } catch (error) {
        const message = messageOf(error);
        if (failed + 1 >= maxAttempts) {
          await setAside(kind, bytes, text, creationFailedReason(event.user, failed + 1, message));
          continue;
        }
        const next = now() + backoffMs(failed + 1, backoff);
        await redis.hset(attemptsKey, bytes, `${failed + 1} ${next}`);
        report(
          "warn",
          `${key}: cannot create ${event.user} (attempt ${failed + 1} of ${maxAttempts}): ` +
            `${message}; the event stays and is tried again`,
        );
        continue;
      }
      await remove(kind, bytes);
      created++;
    }
    return created;
  };
}
