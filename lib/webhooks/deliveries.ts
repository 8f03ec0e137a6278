/**
 * The delivery ids seen, in Redis: one key per provider and id holding the uuid of the
 * job it queued, set only if absent (one Lua script, so two copies of a delivery arriving
 * at once queue one job) and expiring after a week, longer than any provider retries.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { redisDeliveryLog } from "./deliveries.ts";
 * const log = redisDeliveryLog(new Redis(), "dnsapi:");
 * await log.claim("github", "72d3162e-…", "uuid-1"); // null: new
 * await log.claim("github", "72d3162e-…", "uuid-2"); // "uuid-1": seen before
 * ```
 *
 * @module
 */

import type { Redis } from "ioredis";
import type { DeliveryLog } from "./types.ts";

/** How long a delivery id is remembered (7 days). */
export const DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

// Returns the uuid of an earlier claim, or false (nil) after claiming.
const CLAIM = `
local old = redis.call('GET', KEYS[1])
if old then return old end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return false
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** The key of one delivery id under `prefix`. */
export function deliveryKey(prefix: string, provider: string, id: string): string {
  return `${prefix}webhook:delivery:${provider}:${id}`;
}

/** A {@linkcode DeliveryLog} in Redis under the queue's key prefix. */
export function redisDeliveryLog(
  redis: Redis,
  prefix: string,
  ttlSeconds: number = DELIVERY_TTL_SECONDS,
): DeliveryLog {
  return {
    async claim(provider, id, uuid) {
      const earlier = await redis.eval(
        CLAIM,
        1,
        deliveryKey(prefix, provider, id),
        uuid,
        ttlSeconds,
      );
      return typeof earlier === "string" ? earlier : null;
    },
    async release(provider, id, uuid) {
      await redis.eval(RELEASE, 1, deliveryKey(prefix, provider, id), uuid);
    },
  };
}
