/**
 * A disposable world for end-to-end tests: temporary REPOS_ROOT, WORK_ROOT and HOME, a
 * MariaDB database `dnsapi_test_<random>` (created by the worker's own `migrate`,
 * dropped at the end), a Redis key prefix `test:<random>:` (every key under it deleted
 * at the end with SCAN + DEL), and a local Route 53 server on a free port.
 *
 * Everything customer-facing runs as it does in production: the worker is the real
 * CLI (`deno run -A main.ts …`) in a subprocess, pushes are real `git push`es through
 * the hooks `user add` installed, and Route 53 is read back through the AWS SDK.
 *
 * @module
 */
import {
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { Redis } from "ioredis";
import mysql from "mysql2/promise";
import { createContext } from "../cli/context.ts";
import { jobView } from "../cli/report_cmds.ts";
import { loadConfig } from "../lib/config.ts";
import type { JobView } from "../lib/db.ts";
import { type Route53Local, startRoute53Local } from "./route53_local/server.ts";
import { workerTaskFlags } from "./worker_flags.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const WORKER_FLAGS = workerTaskFlags();

const decoder = new TextDecoder();

/** The shared services every world uses unless told otherwise. */
export const SHARED_REDIS_URL = "redis://127.0.0.1:6379";
/** MariaDB server (no database): the world adds its own database name. */
export const SHARED_MYSQL = "mysql://root@127.0.0.1:3306";

/** Options of {@linkcode createWorld}. */
export interface WorldOptions {
  /** Redis to use (default the shared one); the key prefix is still the world's own. */
  redisUrl?: string;
  /**
   * Passed to the local Route 53 server (latency makes syncs slow on purpose; a raised
   * record-set quota as an operator's account may have; the reusable delegation sets
   * DNSAPI_DELEGATION_SET_ID may name).
   */
  route53?: {
    latencyMs?: number;
    throttleRate?: number;
    maxRecordSetsPerZone?: number;
    delegationSets?: Record<string, readonly string[]>;
  };
  /** Extra environment for every subprocess (worker, CLI, git, hooks). */
  env?: Record<string, string>;
}

/** Output of a finished subprocess. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A `git push` and the uuid its hook printed, if any. */
export interface Push {
  code: number;
  output: string;
  uuid: string | null;
  /** `performance.now()` when the push returned. */
  returnedAt: number;
}

/** A record set as the tests compare them. */
export interface Rrset {
  name: string;
  type: string;
  ttl: number | null;
  values: string[];
  /** Only on alias sets: Route 53's AliasTarget as listed. */
  alias?: { zoneId: string; target: string; evaluateTargetHealth: boolean };
}

/** A running `main.ts run` daemon. */
export interface WorkerProcess {
  pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** The JSON-lines operator log parsed so far. */
  events(): Record<string, unknown>[];
  /** Resolves with the first event matching `pred` (rejects after `timeoutMs`). */
  waitForEvent(
    pred: (e: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Sends a signal (SIGTERM, SIGKILL, ...). */
  kill(signal: Deno.Signal): void;
  /** Resolves when the process has exited and its output is read. */
  status: Promise<Deno.CommandStatus>;
}

/** See the module doc. */
export interface World {
  root: string;
  reposRoot: string;
  workRoot: string;
  prefix: string;
  database: string;
  databaseUrl: string;
  redisUrl: string;
  route53: Route53Local;
  /** The environment every subprocess gets. */
  env: Record<string, string>;
  /** A test-side client on the world's Redis (closed by `close`). */
  redis: Redis;
  /** The legacy `HOOK:JOBS` key of this world (prefixed, so tests never share it). */
  legacyKey: string;
  /** Runs `main.ts <args>` to completion. */
  cli(args: string[], env?: Record<string, string>): Promise<Run>;
  /** Starts `main.ts run <args>`; `close` kills what is still running. */
  startWorker(opts?: { env?: Record<string, string>; args?: string[] }): WorkerProcess;
  /** `user add U`, asserted to succeed. */
  addUser(user: string): Promise<void>;
  /** A working clone of `REPOS_ROOT/<user>` (branch main, remote origin). */
  clone(user: string, name?: string): Promise<string>;
  /** Writes (string) or deletes (null) files, commits everything, returns the sha. */
  commit(dir: string, files: Record<string, string | null>, message?: string): Promise<string>;
  /** `git push [args]` from a clone (default `origin main`). */
  push(dir: string, args?: string[], env?: Record<string, string>): Promise<Push>;
  /** Runs git with the world's hermetic environment. */
  git(args: string[], cwd: string, env?: Record<string, string>): Promise<Run>;
  /** What `logs UUID --json` prints, parsed (null when the uuid is unknown). */
  logs(uuid: string): Promise<JobView | null>;
  /** Polls `logs` until the uuid is succeeded or failed. */
  waitFinal(uuid: string, timeoutMs?: number): Promise<JobView>;
  /** Record sets of a hosted zone (by name), sorted; null when no such zone exists. */
  recordSets(zone: string): Promise<Rrset[] | null>;
  /** Like `recordSets` without apex SOA and NS (what zone files manage). */
  managedSets(zone: string): Promise<Rrset[] | null>;
  /** Stops workers and servers, drops the database, deletes keys and files. */
  close(): Promise<void>;
}

function randomId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

/** Route 53 escapes `*` and unusual bytes as `\DDD`; the tests compare plain text. */
function unescapeName(name: string): string {
  return name.replace(/\\(\d{3})/g, (_, d: string) => String.fromCharCode(Number(d)));
}

function toRrset(set: ResourceRecordSet): Rrset {
  const rrset: Rrset = {
    name: unescapeName(set.Name ?? "").toLowerCase(),
    type: set.Type ?? "",
    ttl: set.TTL ?? null,
    values: (set.ResourceRecords ?? []).map((r) => r.Value ?? "").sort(),
  };
  const a = set.AliasTarget;
  if (a === undefined) return rrset;
  return {
    ...rrset,
    alias: {
      zoneId: a.HostedZoneId ?? "",
      target: a.DNSName ?? "",
      evaluateTargetHealth: a.EvaluateTargetHealth === true,
    },
  };
}

function sortSets(sets: Rrset[]): Rrset[] {
  return sets.sort((a, b) =>
    a.name === b.name ? a.type.localeCompare(b.type) : a.name.localeCompare(b.name)
  );
}

/** The first `remote: dns-api: queued <uuid>` of a push's output. */
export function queuedUuid(output: string): string | null {
  return /^remote: dns-api: queued ([0-9a-f-]{36})\s*$/m.exec(output)?.[1] ?? null;
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}

/**
 * Builds a world and runs `migrate` in it.
 *
 * @example
 * ```ts
 * const world = await createWorld();
 * try {
 *   await world.addUser("alice");
 * } finally {
 *   await world.close();
 * }
 * ```
 */
export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const id = randomId();
  const root = await Deno.makeTempDir({ prefix: "dnsapi-e2e-" });
  const home = `${root}/home`;
  await Deno.mkdir(home);
  const prefix = `test:${id}:`;
  const database = `dnsapi_test_${id}`;
  const databaseUrl = `${SHARED_MYSQL}/${database}`;
  const redisUrl = options.redisUrl ?? SHARED_REDIS_URL;
  const route53 = await startRoute53Local({ port: 0, ...options.route53, log: () => {} });
  const legacyKey = `${prefix}HOOK:JOBS`;
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: home,
    // Deno keeps the machine's module cache despite the test HOME.
    DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
    DENO_NO_UPDATE_CHECK: "1",
    NO_COLOR: "1",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "E2E Pusher",
    GIT_AUTHOR_EMAIL: "pusher@example.test",
    GIT_COMMITTER_NAME: "E2E Pusher",
    GIT_COMMITTER_EMAIL: "pusher@example.test",
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    REPOS_ROOT: `${root}/repos`,
    WORK_ROOT: `${root}/work`,
    DNSAPI_KEY_PREFIX: prefix,
    DNSAPI_LEGACY_QUEUE: legacyKey,
    AWS_ENDPOINT_URL_ROUTE_53: route53.url,
    AWS_ACCESS_KEY_ID: "e2e-test",
    AWS_SECRET_ACCESS_KEY: "e2e-test",
    AWS_REGION: "us-east-1",
    DNS_API_HOOK_WAIT: "0",
    // Short timings so faults resolve within seconds (defaults are 30 s / 5 s).
    DNSAPI_LEASE_SECONDS: "3",
    DNSAPI_POLL_MS: "50",
    DNSAPI_RETRY_BASE_SECONDS: "0.5",
    DNSAPI_SHUTDOWN_SECONDS: "20",
    // The local server has no account limit to protect; the limiter is not under test.
    DNSAPI_ROUTE53_RATE: "1000",
    DNSAPI_ROUTE53_BURST: "1000",
    ...options.env,
  };
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
  // Outage tests stop Redis on purpose; the client reconnects, and failed commands
  // still reject to their callers, so connection errors need no second report.
  redis.on("error", () => {});
  const route53Client = new Route53Client({
    endpoint: route53.url,
    region: "us-east-1",
    credentials: { accessKeyId: "e2e-test", secretAccessKey: "e2e-test" },
  });
  const workers: { proc: Deno.ChildProcess; status: Promise<Deno.CommandStatus> }[] = [];
  let reportCtx: ReturnType<typeof createContext> | undefined;

  const run = async (
    command: string,
    args: string[],
    cwd: string,
    extra: Record<string, string> = {},
  ): Promise<Run> => {
    const out = await new Deno.Command(command, {
      args,
      cwd,
      env: { ...env, ...extra },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  };

  const world: World = {
    root,
    reposRoot: env.REPOS_ROOT!,
    workRoot: env.WORK_ROOT!,
    prefix,
    database,
    databaseUrl,
    redisUrl,
    route53,
    env,
    redis,
    legacyKey,
    cli: (args, extra) =>
      run(Deno.execPath(), ["run", ...WORKER_FLAGS, MAIN, ...args], root, extra),
    startWorker(opts = {}) {
      const proc = new Deno.Command(Deno.execPath(), {
        args: ["run", ...WORKER_FLAGS, MAIN, "run", ...(opts.args ?? [])],
        cwd: root,
        env: { ...env, ...opts.env },
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let text = "";
      const parsed: Record<string, unknown>[] = [];
      const waiters = new Set<() => void>();
      const notify = () => {
        for (const w of [...waiters]) w();
      };
      let pending = "";
      const drain = async (stream: ReadableStream<Uint8Array>, json: boolean) => {
        for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
          text += chunk;
          if (json) {
            pending += chunk;
            const lines = pending.split("\n");
            pending = lines.pop() ?? "";
            for (const line of lines) {
              try {
                const value: unknown = JSON.parse(line);
                if (value && typeof value === "object") {
                  parsed.push(value as Record<string, unknown>);
                }
              } catch {
                // not an operator log line
              }
            }
          }
          notify();
        }
      };
      const drained = Promise.all([drain(proc.stdout, true), drain(proc.stderr, false)]);
      const status = drained.then(() => proc.status);
      workers.push({ proc, status });
      let exited = false;
      // Waiters still pending when the process exits are told so at once.
      const onExit = () => {
        exited = true;
        notify();
      };
      status.then(onExit, onExit);
      return {
        pid: proc.pid,
        output: () => text,
        events: () => [...parsed],
        waitForEvent(pred, timeoutMs = 120_000) {
          return new Promise((resolve, reject) => {
            const check = () => {
              const found = parsed.find(pred);
              if (found) {
                cleanup();
                resolve(found);
              } else if (exited) {
                cleanup();
                reject(new Error(`worker ${proc.pid} exited first; output:\n${text}`));
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              reject(new Error(`no such event from worker ${proc.pid} in time; output:\n${text}`));
            }, timeoutMs);
            const cleanup = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        kill(signal) {
          try {
            proc.kill(signal);
          } catch {
            // already gone
          }
        },
        status,
      };
    },
    async addUser(user) {
      const r = await world.cli(["user", "add", user]);
      if (r.code !== 0) throw new Error(`user add ${user} failed: ${r.stderr}${r.stdout}`);
    },
    async clone(user, name = user) {
      const dir = `${root}/clones/${name}`;
      await Deno.mkdir(dir, { recursive: true });
      for (
        const args of [
          ["init", "-q", "-b", "main"],
          ["remote", "add", "origin", `${world.reposRoot}/${user}`],
        ]
      ) {
        const r = await world.git(args, dir);
        if (r.code !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
      }
      return dir;
    },
    async commit(dir, files, message = "update zones") {
      for (const [path, content] of Object.entries(files)) {
        const full = `${dir}/${path}`;
        if (content === null) {
          await Deno.remove(full);
        } else {
          await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
          await Deno.writeTextFile(full, content);
        }
      }
      for (const args of [["add", "-A"], ["commit", "-q", "--allow-empty", "-m", message]]) {
        const r = await world.git(args, dir);
        if (r.code !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}${r.stdout}`);
      }
      return (await world.git(["rev-parse", "HEAD"], dir)).stdout.trim();
    },
    async push(dir, args = ["origin", "main"], extra) {
      const r = await world.git(["push", ...args], dir, extra);
      const output = r.stdout + r.stderr;
      return { code: r.code, output, uuid: queuedUuid(output), returnedAt: performance.now() };
    },
    git: (args, cwd, extra) => run("git", args, cwd, extra),
    async logs(uuid) {
      // The command's own code path (cli/report_cmds.ts), in process: one subprocess
      // start per poll would cost more than the jobs being waited for.
      reportCtx ??= createContext(loadConfig(env), { stdout: () => {}, stderr: () => {} });
      return await jobView(reportCtx, uuid);
    },
    async waitFinal(uuid, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      let last: JobView | null = null;
      while (Date.now() < deadline) {
        last = await world.logs(uuid);
        if (last && (last.status === "succeeded" || last.status === "failed")) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`job ${uuid} not final after ${timeoutMs} ms: ${JSON.stringify(last)}`);
    },
    async recordSets(zone) {
      const fqdn = zone.endsWith(".") ? zone : `${zone}.`;
      const found = await route53Client.send(
        new ListHostedZonesByNameCommand({ DNSName: fqdn, MaxItems: 1 }),
      );
      const hz = found.HostedZones?.find((z) => z.Name === fqdn);
      if (!hz?.Id) return null;
      const sets: Rrset[] = [];
      let start: { name?: string; type?: string; id?: string } | undefined = {};
      while (start) {
        const page: ListResourceRecordSetsCommandOutput = await route53Client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: hz.Id,
            StartRecordName: start.name,
            StartRecordType: start.type as ResourceRecordSet["Type"],
            StartRecordIdentifier: start.id,
          }),
        );
        for (const s of page.ResourceRecordSets ?? []) sets.push(toRrset(s));
        start = page.IsTruncated
          ? { name: page.NextRecordName, type: page.NextRecordType, id: page.NextRecordIdentifier }
          : undefined;
      }
      return sortSets(sets);
    },
    async managedSets(zone) {
      const sets = await world.recordSets(zone);
      const apex = zone.endsWith(".") ? zone : `${zone}.`;
      return sets?.filter((s) => !(s.name === apex && (s.type === "SOA" || s.type === "NS"))) ??
        null;
    },
    async close() {
      for (const w of workers) {
        try {
          w.proc.kill("SIGKILL");
        } catch {
          // already exited
        }
      }
      await Promise.allSettled(workers.map((w) => w.status));
      await reportCtx?.close();
      route53Client.destroy();
      await route53.close();
      try {
        await deleteKeys(redis, prefix);
      } finally {
        redis.disconnect();
      }
      const conn = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root" });
      try {
        // The name is ours and only [a-z0-9_]; identifiers cannot be parameterised.
        await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await conn.end();
      }
      await Deno.remove(root, { recursive: true });
    },
  };
  try {
    const migrated = await world.cli(["migrate"]);
    if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  } catch (error) {
    await world.close();
    throw error;
  }
  return world;
}

/** Sorted record sets from `{name,type,ttl,values}` literals, for deepEqual. */
export function sets(list: Rrset[]): Rrset[] {
  return sortSets(list.map((s) => ({ ...s, values: [...s.values].sort() })));
}
