/**
 * Worker configuration: environment variables (the names in docs/design.md) → one typed, validated
 * `Config`. Pure: the caller passes the environment in, so tests need no process state.
 *
 * @module
 */
import { z } from "zod";
import { DEFAULT_ZONE_QUOTAS } from "./sync/quota.ts";
import { parseDenyDomains } from "./dns/ownership.ts";
import { type ZoneLimits, zoneLimitsFromEnv } from "./zones/types.ts";

const port = z.coerce.number().int().min(0).max(65535);
const positive = z.coerce.number().positive();
const fraction = z.coerce.number().min(0).max(1);
const flag = z.enum(["0", "1", "true", "false", "yes", "no"]).transform((v) =>
  v === "1" || v === "true" || v === "yes"
);

/** Each variable the worker reads, its default and its validation. */
const schema = z.object({
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must start with redis:// or rediss://").default(
    "redis://127.0.0.1:6379",
  ),
  DNSAPI_REDIS_CA: z.string().startsWith("/", "must be an absolute path").optional(),
  DATABASE_URL: z.string().regex(/^mysql:\/\//, "must look like mysql://user:pass@host:3306/db")
    .default("mysql://root@127.0.0.1:3306/dnsapi"),
  REPOS_ROOT: z.string().startsWith("/", "must be an absolute path").default("/repos"),
  WORK_ROOT: z.string().startsWith("/", "must be an absolute path").default("/git"),
  ZONES_DIR: z.string().regex(/^[A-Za-z0-9._-]+$/, "must be one directory name").default(
    "zones",
  ),
  REPOS_REMOTE: z.string().optional(),
  DNSAPI_REMOTE_INSECURE_HOSTS: z.string().default("").transform((v) =>
    v.split(/[\s,]+/).map((h) => h.trim().toLowerCase()).filter((h) => h !== "")
  ),
  DNSAPI_WEBHOOK_URL: z.string().url().regex(/^https?:\/\//, "must start with https://")
    .optional(),
  METRICS_PORT: port.optional(),
  DNSAPI_HOOK_WAIT: z.coerce.number().min(0).max(120).optional(),
  /** The old name of DNSAPI_HOOK_WAIT, still read; the new name wins when both are set. */
  DNS_API_HOOK_WAIT: z.coerce.number().min(0).max(120).default(10),
  DNSAPI_KEY_PREFIX: z.string().min(1).default("dnsapi:"),
  DNSAPI_LEGACY_QUEUE: z.string().min(1).default("HOOK:JOBS"),
  DNSAPI_NEW_USER_KEY: z.string().min(1).default("NEW:USER"),
  DNSAPI_NEW_SSHKEY_KEY: z.string().min(1).default("NEW:SSHKEY"),
  DNSAPI_AUTHORIZED_KEYS: z.string().startsWith("/", "must be an absolute path").optional(),
  DNSAPI_WORKER_KEYS: z.string().startsWith("/", "must be an absolute path").optional(),
  DNSAPI_WORKER_ID: z.string().optional(),
  DNSAPI_HOOK_COMMAND: z.string().optional(),
  DNSAPI_MAX_DELETE_FRACTION: fraction.default(0.3),
  DNSAPI_MAX_UPDATE_FRACTION: fraction.default(0.3),
  DNSAPI_SAFETY_MIN_SETS: z.coerce.number().int().min(0).default(10),
  DNSAPI_ROUTE53_RATE: positive.default(10),
  DNSAPI_ROUTE53_BURST: positive.default(50),
  DNSAPI_DELEGATION_SET_ID: z.string().optional(),
  DNSAPI_PRUNE_DELETED_ZONES: flag.default(false),
  DNSAPI_FULL_SYNC_HOURS: z.coerce.number().min(0).default(24),
  DNSAPI_RECONCILE_SHARE: fraction.default(0.2),
  DNSAPI_SHUTDOWN_SECONDS: positive.default(60),
  DNSAPI_LEASE_SECONDS: positive.default(30),
  DNSAPI_POLL_MS: z.coerce.number().int().min(1).default(100),
  DNSAPI_RETRY_BASE_SECONDS: positive.default(5),
  DNSAPI_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  DNSAPI_WAIT_INSYNC_SECONDS: z.coerce.number().min(0).default(0),
  DNSAPI_MAX_REPO_BYTES: z.coerce.number().int().positive().default(100 * 1024 * 1024),
  DNSAPI_MAX_ZONES_PER_USER: z.coerce.number().int().min(0).default(
    DEFAULT_ZONE_QUOTAS.maxZonesPerUser,
  ),
  DNSAPI_MAX_NEW_ZONES_PER_PUSH: z.coerce.number().int().min(0).default(
    DEFAULT_ZONE_QUOTAS.maxNewZonesPerPush,
  ),
  DNSAPI_DENY_DOMAINS: z.string().default("").transform((value, ctx) => {
    const { names, problems } = parseDenyDomains(value);
    for (const message of problems) ctx.addIssue({ code: "custom", message });
    return names;
  }),
  DNSAPI_WEBHOOK_PORT: port.default(9898),
  DNSAPI_WEBHOOK_BIND: z.string().regex(/^[0-9A-Za-z.:-]+$/, "must be an address or host name")
    .default("127.0.0.1"),
  DNSAPI_WEBHOOK_LEGACY: flag.default(false),
  AWS_ENDPOINT_URL_ROUTE_53: z.string().url().optional(),
  AWS_REGION: z.string().default("us-east-1"),
});

/** The validated configuration. */
export interface Config {
  redisUrl: string;
  /** PEM file of the CA a `rediss://` Redis's certificate chains to (DNSAPI_REDIS_CA). */
  redisCa: string | undefined;
  databaseUrl: string;
  reposRoot: string;
  workRoot: string;
  zonesDir: string;
  reposRemote: string | undefined;
  /**
   * Hosts a registered remote may reach over http:// or git://, and on a loopback,
   * private or link-local address (DNSAPI_REMOTE_INSECURE_HOSTS; lower case).
   */
  remoteInsecureHosts: string[];
  /** Public base URL of the webhook receiver (`user remote show` prints `<it>/webhooks/U`). */
  webhookUrl: string | undefined;
  metricsPort: number | undefined;
  hookWaitSeconds: number;
  keyPrefix: string;
  legacyQueueKey: string;
  /** Redis key of NEW:USER events (no prefix, as the original service used it). */
  newUserKey: string;
  /** Redis key of NEW:SSHKEY events (no prefix, like NEW:USER). */
  newSshKeyKey: string;
  /** The git account's `authorized_keys`, kept by the worker; unset: not managed. */
  authorizedKeys: string | undefined;
  /** A file of worker public keys: `authorized_keys` lets them fetch any repository. */
  workerKeys: string | undefined;
  workerId: string | undefined;
  hookCommand: string | undefined;
  safety: { maxDeleteFraction: number; maxUpdateFraction: number; minSets: number };
  route53: {
    endpoint: string | undefined;
    region: string;
    rate: number;
    burst: number;
    delegationSetId: string | undefined;
    waitInsyncSeconds: number;
  };
  pruneDeletedZones: boolean;
  /** Names no customer may host, nor anything under them (DNSAPI_DENY_DOMAINS). */
  denyDomains: string[];
  fullSyncHours: number;
  /**
   * Share of the Route 53 request rate scheduled reconciles may use (0 = none; the
   * worker reconciles a zone overdue by `fullSyncHours` without a push).
   */
  reconcileShare: number;
  /** Per-customer limits: domains an account holds, new hosted zones one sync creates. */
  quotas: { maxZonesPerUser: number; maxNewZonesPerPush: number };
  /**
   * What one zone file may hold (DNSAPI_MAX_RECORD_SETS, DNSAPI_MAX_ZONE_BYTES,
   * DNSAPI_MAX_VALUES_PER_SET): `check`, pre-receive and the worker apply the same.
   */
  zoneLimits: ZoneLimits;
  shutdownSeconds: number;
  /** Largest history of a deployed branch the worker fetches, in bytes. */
  maxRepoBytes: number;
  /**
   * The queue's timing: lease of a reservation (a dead worker's jobs are taken over
   * after it; heartbeats renew it at a third of it), how often an idle worker looks
   * for work, the first retry delay (doubling up to 5 min) and attempts before a batch
   * is given up. Short values are for tests and demos.
   */
  queue: { leaseSeconds: number; pollMs: number; retryBaseSeconds: number; maxAttempts: number };
  /**
   * The webhook receiver (`webhooks`): its port, the address it binds (127.0.0.1 behind a
   * TLS proxy), and whether it also takes the original receiver's unsigned `POST /<user>`.
   */
  webhooks: { port: number; bind: string; legacy: boolean };
}

/**
 * Reads the configuration from an environment map.
 *
 * @throws {TypeError} naming every bad variable and what was wrong with it.
 * @example
 * ```ts
 * const config = loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" });
 * ```
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k in schema.shape && v !== undefined && v !== ""),
  );
  const parsed = schema.safeParse(present);
  const zoneLimits = zoneLimitsFromEnv((name) => env[name]);
  const problems = [
    ...(parsed.error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`),
    ...zoneLimits.problems,
  ];
  if (!parsed.success || problems.length > 0) {
    throw new TypeError(`Cannot read configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  return {
    redisUrl: e.REDIS_URL,
    redisCa: e.DNSAPI_REDIS_CA,
    databaseUrl: e.DATABASE_URL,
    reposRoot: e.REPOS_ROOT.replace(/\/+$/, "") || "/",
    workRoot: e.WORK_ROOT.replace(/\/+$/, "") || "/",
    zonesDir: e.ZONES_DIR,
    reposRemote: e.REPOS_REMOTE,
    remoteInsecureHosts: e.DNSAPI_REMOTE_INSECURE_HOSTS,
    webhookUrl: e.DNSAPI_WEBHOOK_URL?.replace(/\/+$/, ""),
    metricsPort: e.METRICS_PORT,
    hookWaitSeconds: e.DNSAPI_HOOK_WAIT ?? e.DNS_API_HOOK_WAIT,
    keyPrefix: e.DNSAPI_KEY_PREFIX,
    legacyQueueKey: e.DNSAPI_LEGACY_QUEUE,
    newUserKey: e.DNSAPI_NEW_USER_KEY,
    newSshKeyKey: e.DNSAPI_NEW_SSHKEY_KEY,
    authorizedKeys: e.DNSAPI_AUTHORIZED_KEYS,
    workerKeys: e.DNSAPI_WORKER_KEYS,
    workerId: e.DNSAPI_WORKER_ID,
    hookCommand: e.DNSAPI_HOOK_COMMAND,
    safety: {
      maxDeleteFraction: e.DNSAPI_MAX_DELETE_FRACTION,
      maxUpdateFraction: e.DNSAPI_MAX_UPDATE_FRACTION,
      minSets: e.DNSAPI_SAFETY_MIN_SETS,
    },
    route53: {
      endpoint: e.AWS_ENDPOINT_URL_ROUTE_53,
      region: e.AWS_REGION,
      rate: e.DNSAPI_ROUTE53_RATE,
      burst: e.DNSAPI_ROUTE53_BURST,
      delegationSetId: e.DNSAPI_DELEGATION_SET_ID,
      waitInsyncSeconds: e.DNSAPI_WAIT_INSYNC_SECONDS,
    },
    pruneDeletedZones: e.DNSAPI_PRUNE_DELETED_ZONES,
    denyDomains: e.DNSAPI_DENY_DOMAINS,
    fullSyncHours: e.DNSAPI_FULL_SYNC_HOURS,
    reconcileShare: e.DNSAPI_RECONCILE_SHARE,
    quotas: {
      maxZonesPerUser: e.DNSAPI_MAX_ZONES_PER_USER,
      maxNewZonesPerPush: e.DNSAPI_MAX_NEW_ZONES_PER_PUSH,
    },
    zoneLimits: zoneLimits.limits,
    shutdownSeconds: e.DNSAPI_SHUTDOWN_SECONDS,
    maxRepoBytes: e.DNSAPI_MAX_REPO_BYTES,
    queue: {
      leaseSeconds: e.DNSAPI_LEASE_SECONDS,
      pollMs: e.DNSAPI_POLL_MS,
      retryBaseSeconds: e.DNSAPI_RETRY_BASE_SECONDS,
      maxAttempts: e.DNSAPI_MAX_ATTEMPTS,
    },
    webhooks: {
      port: e.DNSAPI_WEBHOOK_PORT,
      bind: e.DNSAPI_WEBHOOK_BIND,
      legacy: e.DNSAPI_WEBHOOK_LEGACY,
    },
  };
}
