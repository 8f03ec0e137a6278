/**
 * Intake of jobs from the original service's producers: the Perl hook added
 * `{uuid,user,repo}` to the *set* `HOOK:JOBS` (SADD), the webhook receiver pushed to
 * the *list* `HOOK:JOBS` (RPUSH). The key's TYPE says which.
 *
 * Payloads are read without removing them; each is then removed in the same atomic
 * step that queues it (ENQUEUE_SCRIPT) or sets it aside as invalid, so a worker dying
 * in between loses nothing and two workers never queue one payload twice.
 *
 * @module
 */

import type { Redis } from "ioredis";
import { ENQUEUE_SCRIPT, enqueueArgs } from "../job/keys.ts";
import { parseLegacyJob } from "./job_schema.ts";
import { PEEK_LEGACY, SET_ASIDE_LEGACY, stringList } from "./lua.ts";
import type { QueueLogEntry } from "./types.ts";

/** Where the legacy intake reads and writes. */
export interface LegacyIntakeOptions {
  /** The legacy key, without prefix (`HOOK:JOBS`). */
  legacyKey: string;
  /** The queue's key prefix. */
  prefix: string;
  /** `REPOS_ROOT`, to check each payload's repo. */
  reposRoot: string;
  log: (entry: QueueLogEntry) => void;
  /**
   * Called for a payload set aside that still names a uuid, so the queue can give that
   * uuid a final status (every queued uuid reaches one).
   */
  refused?: (uuid: string, reason: string) => Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The uuid an invalid payload names, if it names one. */
function uuidOf(raw: string): string | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    if (value && typeof value === "object" && "uuid" in value && typeof value.uuid === "string") {
      return UUID.test(value.uuid) ? value.uuid.toLowerCase() : undefined;
    }
  } catch {
    // not JSON: no uuid to answer for
  }
  return undefined;
}

/** Shortens a stored copy of an untrusted payload. */
export function clipPayload(raw: string): string {
  return raw.length > 2000 ? `${raw.slice(0, 2000)}…` : raw;
}

/**
 * Returns a function that moves up to `limit` legacy payloads into the queue and
 * resolves to how many it queued (invalid ones are set aside and logged).
 *
 * @example
 * ```ts
 * const intake = legacyIntake(redis, { legacyKey: "HOOK:JOBS", prefix: "dnsapi:", reposRoot: "/repos", log: console.log });
 * await intake(100);
 * ```
 */
export function legacyIntake(
  redis: Redis,
  options: LegacyIntakeOptions,
): (limit?: number) => Promise<number> {
  const { legacyKey, prefix, log } = options;
  let warnedType = false;
  return async (limit = 100) => {
    const reply = await redis.eval(PEEK_LEGACY, 1, legacyKey, limit);
    if (!Array.isArray(reply) || typeof reply[0] !== "string") return 0;
    const kind = reply[0];
    if (kind !== "set" && kind !== "list") {
      if (kind !== "none" && !warnedType) {
        warnedType = true;
        log({
          level: "warn",
          event: "legacy",
          message: `Cannot read legacy jobs: ${legacyKey} is a ${kind}, not a set or list`,
        });
      }
      return 0;
    }
    let queued = 0;
    for (const raw of stringList(reply[1]) ?? []) {
      const parsed = parseLegacyJob(raw, options.reposRoot, new Date());
      if (parsed.ok) {
        const [, ...args] = enqueueArgs(prefix, parsed.job);
        queued += await redis.eval(ENQUEUE_SCRIPT, 1, legacyKey, ...args, kind, raw) === 1 ? 1 : 0;
        continue;
      }
      const entry = {
        source: legacyKey,
        reason: parsed.reason,
        raw: clipPayload(raw),
        at: new Date().toISOString(),
      };
      const moved = await redis.eval(
        SET_ASIDE_LEGACY,
        1,
        legacyKey,
        prefix,
        kind,
        raw,
        JSON.stringify(entry),
      );
      if (moved === 1) {
        log({ level: "warn", event: "invalid", message: `legacy job set aside: ${parsed.reason}` });
        const uuid = uuidOf(raw);
        if (uuid !== undefined) await options.refused?.(uuid, parsed.reason);
      }
    }
    return queued;
  };
}
