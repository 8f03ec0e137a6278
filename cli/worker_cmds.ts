/**
 * The worker's daemon and sync commands: `run`, `sync --user U`, `plan --user U`,
 * `migrate`. `run` writes DNSAPI_AUTHORIZED_KEYS at start-up and takes in `NEW:SSHKEY`
 * events beside `NEW:USER` ones (cli/key_cmds.ts).
 *
 * @module
 */
import { assertSchemaCurrent, createDatabaseIfMissing, migrate, schemaStatus } from "../lib/db.ts";
import {
  createDnsApiRegistry,
  recordJob,
  recordLockWait,
  recordRoute53Call,
  recordSyncDuration,
  setQueueDepth,
} from "../lib/worker.ts";
import {
  combineHealthChecks,
  loopCheck,
  type MetricsServer,
  type MetricsServerOptions,
  outageWatch,
  startMetricsServer,
  untilUp,
} from "../lib/worker.ts";
import type { MysqlDb } from "../lib/db.ts";
import { newUserIntake } from "../lib/worker.ts";
import { UnrecoverableError } from "../lib/errors.ts";
import { syncUser, type UserSyncResult } from "../lib/sync.ts";
import { reconcileIntervalMs, reconcileScheduler, redisClaim, runWorker } from "../lib/worker.ts";
import type { Values } from "./commands.ts";
import { type Context, jsonLog } from "./context.ts";
import { addUserWithRepo } from "./user_cmds.ts";
import { keyIntake } from "./key_cmds.ts";

export { jsonLog } from "./context.ts";

/** `migrate`: creates the database if missing and applies pending migrations. */
export async function cmdMigrate(ctx: Context): Promise<number> {
  await createDatabaseIfMissing(ctx.config.databaseUrl);
  const db = await ctx.db();
  const applied = await migrate(db);
  ctx.out.stdout(
    applied.length === 0
      ? "schema is up to date\n"
      : `applied ${applied.length} migration(s): ${applied.join(", ")}\n`,
  );
  return 0;
}

/**
 * `run`: the daemon. SIGTERM/SIGINT stop fetching; the job in hand gets
 * `DNSAPI_SHUTDOWN_SECONDS` to finish; then the process exits 0.
 */
export async function cmdRun(
  ctx: Context,
  values: Values<"run">,
  signals: { quiet: AbortSignal },
): Promise<number> {
  const log = jsonLog(ctx);
  // Redis or MySQL down at start-up: wait for them (one log line per change of state,
  // /healthz 503 meanwhile) rather than exit, so the unit's restart limit never trips.
  const watch = outageWatch((entry) => log({ ...entry }));
  const redis = ctx.redis();
  redis.on("error", (error) => watch.down("redis", error));
  redis.on("ready", () => watch.up("redis"));
  let db: MysqlDb | undefined;
  const workerId = ctx.config.workerId ?? `${Deno.hostname()}:${Deno.pid}`;
  const queue = ctx.queue((entry) => log({ ...entry, source: "queue" }));
  const registry = createDnsApiRegistry();
  let lockWaitsSeen = 0;
  const api = ctx.route53((operation, outcome) => recordRoute53Call(registry, operation, outcome));
  const leaseMs = ctx.config.queue.leaseSeconds * 1000;
  let lastTick = performance.now();
  const metrics = ctx.config.metricsPort === undefined ? undefined : metricsServer({
    port: ctx.config.metricsPort,
    registry,
    health: combineHealthChecks({
      redis: async () => ({ ok: await redis.ping() === "PONG" }),
      mysql: async () => {
        if (db === undefined) {
          return { ok: false, detail: watch.problem("mysql") ?? "not connected yet" };
        }
        await db.pool.query("SELECT 1");
        return { ok: true };
      },
      schema: async () => {
        if (db === undefined) return { ok: false, detail: "MySQL not connected yet" };
        const status = await schemaStatus(db);
        return status.pending.length === 0 ? { ok: true } : {
          ok: false,
          detail: `schema at ${status.current}, needs ${status.latest}: run migrate`,
        };
      },
      // An iteration takes about a second, a sync renews its lease thrice per lease.
      loop: () => Promise.resolve(loopCheck(lastTick, performance.now(), 3 * leaseMs)),
    }),
    beforeScrape: async () => {
      setQueueDepth(registry, (await queue.stats()).queuedJobs);
      // The count lives in Redis (all workers add to it); report what grew since last time.
      const waits = await queue.lockWaits();
      if (waits > lockWaitsSeen) recordLockWait(registry, waits - lockWaitsSeen);
      lockWaitsSeen = Math.max(lockWaitsSeen, waits);
    },
  });
  const waiting = { watch, signal: signals.quiet };
  try {
    const opened = await untilUp("mysql", async () => {
      const pool = await ctx.db();
      return { pool, status: await schemaStatus(pool) };
    }, waiting);
    const waits = opened && await untilUp("redis", () => queue.lockWaits(), waiting);
    if (opened === undefined || waits === undefined) {
      log({ level: "info", event: "stopped", workerId, handled: 0 });
      return 0;
    }
    assertSchemaCurrent(opened.status);
    db = opened.pool;
    lockWaitsSeen = waits;
    return await serve(db);
  } finally {
    await metrics?.close();
  }

  async function serve(db: MysqlDb): Promise<number> {
    log({ level: "info", event: "started", workerId, metricsPort: metrics?.port });
    const keys = await keyIntake(ctx, log);
    const newUsers = newUserIntake(ctx.redis(), {
      key: ctx.config.newUserKey,
      prefix: ctx.config.keyPrefix,
      create: async (user) => {
        const message = await addUserWithRepo(ctx, user);
        log({ level: "info", event: "new-user", user, message });
      },
      report: (level, message) => log({ level, event: "new-user", message }),
    });
    const reconcile = reconcileScheduler({
      db,
      queue,
      claim: redisClaim(ctx.redis()),
      prefix: ctx.config.keyPrefix,
      reposRoot: ctx.config.reposRoot,
      fullSyncHours: ctx.config.fullSyncHours,
      intervalMs: reconcileIntervalMs(ctx.config.route53.rate, ctx.config.reconcileShare),
      log,
    });
    const handled = await runWorker({
      queue,
      db,
      api,
      settings: ctx.settings(),
      workerId,
      log,
      intake: async () => {
        await newUsers();
        await keys();
        await reconcile();
      },
      // Renewed three times per lease, so one slow renewal does not lose the user.
      heartbeatMs: Math.max(100, leaseMs / 3),
      leaseMs,
      observer: {
        tick() {
          lastTick = performance.now();
        },
        jobFinished(outcome, seconds) {
          if (outcome === "lost") return;
          recordJob(registry, outcome === "retry" ? "retried" : outcome);
          recordSyncDuration(registry, seconds);
        },
      },
    }, {
      quiet: signals.quiet,
      deadlineMs: ctx.config.shutdownSeconds * 1000,
      maxJobs: values.once ? 1 : undefined,
      untilIdle: values["until-idle"],
    });
    log({ level: "info", event: "stopped", workerId, handled });
    return 0;
  }
}

/** Starts the operator endpoint; a taken port is named as the setting to change. */
function metricsServer(options: MetricsServerOptions): MetricsServer {
  try {
    return startMetricsServer(options);
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    throw new Error(
      `METRICS_PORT ${options.port} is in use: stop what listens there or set another port`,
    );
  }
}

/** Exit code of `plan --exit-code` when the plan would change something. */
export const CHANGES_PENDING = 3;

/**
 * `plan --user U [--full] [--exit-code]`: a dry run of the sync. With `--exit-code`, 0 when
 * nothing would change and {@linkcode CHANGES_PENDING} when something would (refused: 1).
 */
export async function cmdPlan(ctx: Context, values: Values<"plan">): Promise<number> {
  const { "exit-code": exitCode, ...rest } = values;
  return await cmdSync(ctx, { ...rest, force: false }, true, exitCode);
}

/** Whether a dry run would change Route 53: a change planned, or a hosted zone to create. */
function changesPending(result: UserSyncResult): boolean {
  return result.zones.some((z) => z.plan ? z.plan.changes.length > 0 : z.status === "planned");
}

/** `sync --user U [--full] [--force]` and `plan` (no force, dry run): one sync now. */
export async function cmdSync(
  ctx: Context,
  values: Values<"sync">,
  dryRun: boolean,
  exitCode = false,
): Promise<number> {
  const db = await ctx.db();
  assertSchemaCurrent(await schemaStatus(db));
  const jobId = crypto.randomUUID();
  try {
    const result = await syncUser(
      { db, api: ctx.route53(), settings: ctx.settings() },
      { user: values.user, jobId, full: values.full, force: values.force, dryRun },
    );
    if (values.json) {
      ctx.out.stdout(JSON.stringify(result, null, 2) + "\n");
    } else {
      // A dry run's log holds its plan (each change once), as a sync's holds what it did.
      for (const line of result.log) {
        ctx.out.stdout(`${line.level === "info" ? "" : `${line.level}: `}${line.message}\n`);
      }
    }
    if (!dryRun) {
      await db.finishJob({
        uuid: jobId,
        user: values.user,
        status: result.ok ? "succeeded" : "failed",
        commit: result.commit,
        log: result.log,
      });
      ctx.out.stdout(`logged as job ${jobId}\n`);
    }
    if (!result.ok) return 1;
    return exitCode && changesPending(result) ? CHANGES_PENDING : 0;
  } catch (error) {
    if (error instanceof UnrecoverableError) {
      ctx.out.stderr(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
