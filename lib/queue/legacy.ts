/**
 * Intake of jobs from the original service's producers: the original hook and webhook
 * receiver pushed `{uuid,owner,url}` to the *list* `HOOK:JOBS` (RPUSH), the seed's hook
 * added `{uuid,user,repo}` to the *set* `HOOK:JOBS` (SADD). The key's TYPE says which;
 * job_schema.ts reads the forms.
 *
 * Payloads are read without removing them; each is then removed in the same atomic
 * step that queues it (ENQUEUE_SCRIPT) or sets it aside as invalid, so a worker dying
 * in between loses nothing and two workers never queue one payload twice. They are
 * read and removed as their exact bytes: a payload that is not UTF-8 would not match
 * a decoded copy, so it would stay, be read again on every poll, and enough of them
 * would fill every read and starve the jobs behind them.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { Redis } from "ioredis";
import { ENQUEUE_SCRIPT, enqueueArgs } from "../job/keys.ts";
import { originalRemoteOwner, parseLegacyJob } from "./job_schema.ts";
import { PEEK_LEGACY, SET_ASIDE_LEGACY } from "./lua.ts";
import type { QueueLogEntry } from "./types.ts";
import { messageOf } from "../util/message.ts";

/** Where the legacy intake reads and writes. */
export interface LegacyIntakeOptions {
  /** The legacy key, without prefix (`HOOK:JOBS`). */
  legacyKey: string;
  /** The queue's key prefix. */
  prefix: string;
  /** `REPOS_ROOT`, to check each payload's repo. */
  reposRoot: string;
  log: (entry: QueueLogEntry) => void;
  /** Whether a user exists; without it every well-formed name is taken in. */
  userExists?: ((user: string) => Promise<boolean>) | undefined;
  /**
   * The URL of the user's registered remote, or null: an original `{uuid,owner,url}`
   * payload naming that remote is queued. Without it every remote URL is set aside.
   */
  remoteOf?: ((user: string) => Promise<string | null>) | undefined;
  /** Whether a uuid is known outside Redis (MySQL's jobs); such a payload is set aside. */
  jobKnown?: ((uuid: string) => Promise<boolean>) | undefined;
  /**
   * Called for a payload set aside that still names a uuid, so the queue can give that
   * uuid a final status (every queued uuid reaches one).
   */
  refused?: (uuid: string, reason: string) => Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The reason a payload that is not UTF-8 is set aside with. */
export const NOT_UTF8 = "not valid UTF-8";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The payload as text, or `undefined` when its bytes are not UTF-8. */
function textOf(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The reason a payload reusing a job id is set aside with (it names no other user). */
export function uuidTakenReason(uuid: string): string {
  return `job id ${uuid} is already in use: a job id names one push only`;
}

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

/** A script reply that must be a list of byte strings, or `undefined` when it is not. */
function bytesList(value: unknown): Buffer[] | undefined {
  return Array.isArray(value) && value.every((v) => Buffer.isBuffer(v)) ? value : undefined;
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
  let lookupFailing = false;

  const entryOf = (text: string, reason: string) =>
    JSON.stringify({
      source: legacyKey,
      reason,
      raw: clipPayload(text),
      at: new Date().toISOString(),
    });

  const warnLookup = (error: unknown) => {
    lookupFailing = true;
    log({
      level: "warn",
      event: "legacy",
      message: `Cannot take in legacy jobs now: ${messageOf(error)}; they wait in ${legacyKey}`,
    });
  };

  /** Removes the exact payload and sets it aside; false if another worker took it. */
  const setAside = async (kind: string, bytes: Buffer, text: string, reason: string) => {
    const moved = await redis.eval(
      SET_ASIDE_LEGACY,
      1,
      legacyKey,
      prefix,
      kind,
      bytes,
      entryOf(text, reason),
    );
    if (moved !== 1) return;
    log({ level: "warn", event: "invalid", message: `legacy job set aside: ${reason}` });
    const uuid = uuidOf(text);
    if (uuid !== undefined) await options.refused?.(uuid, reason);
  };

  return async (limit = 100) => {
    const reply = await redis.callBuffer("EVAL", PEEK_LEGACY, 1, legacyKey, limit);
    if (!Array.isArray(reply) || !Buffer.isBuffer(reply[0])) return 0;
    const kind = reply[0].toString();
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
    for (const bytes of bytesList(reply[1]) ?? []) {
      const text = textOf(bytes);
      if (text === undefined) {
        // Shown to the operator with U+FFFD for the bytes that are not UTF-8.
        await setAside(kind, bytes, new TextDecoder().decode(bytes), NOT_UTF8);
        continue;
      }
      const owner = options.remoteOf ? originalRemoteOwner(text) : undefined;
      let registered: string[] = [];
      try {
        const url = owner === undefined ? null : await options.remoteOf?.(owner);
        if (url) registered = [url];
      } catch (error) {
        if (!lookupFailing) warnLookup(error);
        break;
      }
      const parsed = parseLegacyJob(text, options.reposRoot, new Date(), registered);
      if (!parsed.ok) {
        await setAside(kind, bytes, text, parsed.reason);
        continue;
      }
      const { job } = parsed;
      const taken = uuidTakenReason(job.uuid);
      let problem: string | undefined;
      try {
        if (options.userExists && !await options.userExists(job.user)) {
          problem = `no user ${job.user} exists (user names compare case-insensitively)`;
        } else if (await options.jobKnown?.(job.uuid)) problem = taken;
      } catch (error) {
        // MySQL is away: the payloads wait in the legacy key, and hook jobs still run.
        // Said once per outage, not on every poll.
        if (!lookupFailing) warnLookup(error);
        break;
      }
      lookupFailing = false;
      if (problem !== undefined) {
        await setAside(kind, bytes, text, problem);
        continue;
      }
      // The script sets the payload aside itself when Redis still holds the uuid
      // (queued, running, or its result): checked in the same step that would queue it.
      const [, ...args] = enqueueArgs(prefix, job);
      const outcome = await redis.eval(
        ENQUEUE_SCRIPT,
        1,
        legacyKey,
        ...args,
        kind,
        bytes,
        entryOf(text, taken),
      );
      if (outcome === 1) queued++;
      if (outcome === 2) {
        log({
          level: "warn",
          event: "invalid",
          uuid: job.uuid,
          message: `legacy job set aside: ${taken}`,
        });
      }
    }
    return queued;
  };
}
