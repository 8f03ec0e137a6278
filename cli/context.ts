/**
 * Real implementations for the worker's commands, opened on first use and closed
 * once: ioredis, the MySQL pool, the Route 53 client with the shared rate limiter.
 *
 * @module
 */
import { Route53Client } from "@aws-sdk/client-route-53";
import { Redis } from "ioredis";
import type { Config } from "../lib/config.ts";
import { type MysqlDb, openDb } from "../lib/db.ts";
import { createQueue, type Queue, type QueueLogEntry } from "../lib/queue.ts";
import { redisRateLimiter } from "../lib/route53.ts";
import { type Route53Api, route53Api } from "../lib/route53.ts";
import type { UserSyncSettings } from "../lib/sync.ts";
import { messageOf } from "../lib/errors.ts";

/** Where a command writes. */
export interface Output {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** Lazily opened services for one command run. */
export interface Context {
  config: Config;
  out: Output;
  redis(): Redis;
  db(): Promise<MysqlDb>;
  /** The queue: one per context, or with `log` a new one that logs there (the worker's). */
  queue(log?: (entry: QueueLogEntry) => void): Queue;
  /** The Route 53 adapter; `onCall` (metrics) is honoured on first use only. */
  route53(onCall?: Route53Api["onCall"]): Route53Api;
  settings(): UserSyncSettings;
  close(): Promise<void>;
}

/** JSON-lines operator log on stdout (journald keeps it). */
export function jsonLog(ctx: Context): (entry: Record<string, unknown>) => void {
  return (entry) =>
    ctx.out.stdout(JSON.stringify({ ts: new Date().toISOString(), ...entry }) + "\n");
}

/**
 * ioredis's TLS options: for `rediss://` (which ioredis connects over TLS), the CA of
 * DNSAPI_REDIS_CA when set; nothing for `redis://`.
 */
export function redisTls(config: Pick<Config, "redisUrl" | "redisCa">): { tls?: { ca: string } } {
  if (!config.redisUrl.startsWith("rediss://") || !config.redisCa) return {};
  let ca: string;
  try {
    ca = Deno.readTextFileSync(config.redisCa);
  } catch (error) {
    throw new Error(`Cannot read DNSAPI_REDIS_CA ${config.redisCa}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return { tls: { ca } };
}

/** Builds the context; nothing connects until first used. */
export function createContext(config: Config, out: Output): Context {
  let redis: Redis | undefined;
  let db: MysqlDb | undefined;
  // The opening itself is shared: callers that ask at once get one pool, not one each
  // (the extra pools would never be closed and keep the process alive).
  let opening: Promise<MysqlDb> | undefined;
  let api: Route53Api | undefined;
  let sharedQueue: Queue | undefined;
  const getRedis = () => {
    redis ??= new Redis(config.redisUrl, {
      ...redisTls(config),
      lazyConnect: false,
      connectTimeout: 3000,
      maxRetriesPerRequest: 2,
      // Keep reconnecting (capped at 2 s): the worker waits out a Redis restart.
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    return redis;
  };
  const context: Context = {
    config,
    out,
    redis: getRedis,
    async db() {
      opening ??= openDb(config.databaseUrl).then(
        (opened) => db = opened,
        (error) => {
          opening = undefined; // a later call may try again
          throw error;
        },
      );
      return await opening;
    },
    queue(log) {
      // One queue per context unless a caller brings its own log (the worker daemon):
      // each queue holds a listener on the shared client, so making one per call (a
      // command polled in process, say) would pile them up.
      if (log === undefined && sharedQueue) return sharedQueue;
      const made = createQueue(getRedis(), {
        reposRoot: config.reposRoot,
        prefix: config.keyPrefix,
        legacyKey: config.legacyQueueKey,
        leaseMs: config.queue.leaseSeconds * 1000,
        pollMs: config.queue.pollMs,
        maxAttempts: config.queue.maxAttempts,
        backoff: { baseMs: config.queue.retryBaseSeconds * 1000, maxMs: 300_000, jitter: 0.2 },
        log,
        // Legacy payloads: the user they name must exist, their uuid must be new.
        userExists: async (user) => await (await context.db()).getUser(user) !== null,
        jobKnown: async (uuid) => await (await context.db()).getJob(uuid) !== null,
        // An original payload's clone URL is taken only when it is the owner's remote.
        remoteOf: async (user) => (await (await context.db()).getRemote(user))?.url ?? null,
      });
      if (log === undefined) sharedQueue = made;
      return made;
    },
    route53(onCall) {
      if (!api) {
        const client = new Route53Client({
          region: config.route53.region,
          // Retries go through lib/route53.ts's backoff, so each one takes a rate token.
          maxAttempts: 1,
          ...(config.route53.endpoint ? { endpoint: config.route53.endpoint } : {}),
        });
        api = route53Api(client, {
          onCall,
          limiter: redisRateLimiter(getRedis(), config.keyPrefix, {
            ratePerSecond: config.route53.rate,
            burst: config.route53.burst,
          }),
        });
      }
      return api;
    },
    settings() {
      return {
        reposRoot: config.reposRoot,
        workRoot: config.workRoot,
        reposRemote: config.reposRemote,
        remoteInsecureHosts: config.remoteInsecureHosts,
        zonesDir: config.zonesDir,
        safety: {
          maxDeleteRatio: config.safety.maxDeleteFraction,
          maxUpdateRatio: config.safety.maxUpdateFraction,
          minExisting: config.safety.minSets,
        },
        pruneDeletedZones: config.pruneDeletedZones,
        denyDomains: config.denyDomains,
        fullSyncHours: config.fullSyncHours,
        delegationSetId: config.route53.delegationSetId,
        waitInsyncSeconds: config.route53.waitInsyncSeconds,
        maxRepoBytes: config.maxRepoBytes,
        quotas: config.quotas,
        zoneLimits: config.zoneLimits,
      };
    },
    async close() {
      api?.close();
      await opening?.catch(() => {});
      if (db) await db.close();
      if (redis) {
        await redis.quit().catch(() => redis?.disconnect());
      }
    },
  };
  return context;
}
