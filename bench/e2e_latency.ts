/**
 * End-to-end latency and throughput of the whole service (issue 4 item 8), on one
 * machine: real git pushes through the installed hook, the shared Redis and MariaDB,
 * the worker daemon(s) as subprocesses, the local Route 53 server (testing/world.ts).
 *
 * 1. Latency: one worker daemon running; `--pushes` times (default 30) a one-line
 *    change of a small zone is committed and pushed (DNS_API_HOOK_WAIT=0). Measured:
 *    from `git push` returning to the job's result being published (BLPOP on the
 *    job's `done:<uuid>` list, as a waiting hook would see it; the status is then
 *    checked through `logs`). The operator log's timestamps split each job into
 *    pickup (queued → worker start) and sync (start → done).
 * 2. Throughput: `--users` users (default 200) each push one zone while no worker
 *    runs; then two workers start and clear the backlog. Jobs per second are counted
 *    from the first sync's start to the last one's end (operator log timestamps), so
 *    worker process start-up is not included; the wall time from spawning the workers
 *    is printed too.
 *
 * Queue timings are the production defaults (poll 100 ms, lease 30 s).
 * `--route53-rate N` sets DNSAPI_ROUTE53_RATE (the worker's shared Route 53 request
 * budget, default here 1000/s so the worker itself is measured; production's default
 * is 10/s, which caps throughput at 10 / (calls per sync)).
 *
 * 3. Hook wait: `--wait-pairs` pairs (default 20) of pushes, one with the hook waiting
 *    for the result and one without, timed as `git push` (see {@linkcode hookWait}).
 *
 * Run: `deno run -A bench/e2e_latency.ts [--pushes 30] [--wait-pairs 20] [--users 200]
 * [--route53-rate N]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { createContext } from "../cli/context.ts";
import { addUserWithRepo } from "../cli/user_cmds.ts";
import { loadConfig } from "../lib/config.ts";
import { queueKeys } from "../lib/queue.ts";
import { createWorld, type World } from "../testing/world.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    pushes: { type: "string", default: "30" },
    "wait-pairs": { type: "string", default: "20" },
    users: { type: "string", default: "200" },
    "route53-rate": { type: "string", default: "1000" },
    concurrency: { type: "string", default: "6" },
  },
});
const PUSHES = Number(values.pushes);
const WAIT_PAIRS = Number(values["wait-pairs"]);
const USERS = Number(values.users);
const RATE = values["route53-rate"];
const CONCURRENCY = Number(values.concurrency);

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

function summary(label: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const f = (n: number) => `${Math.round(n)} ms`;
  return `| ${label} | ${f(quantile(s, 0.5))} | ${f(quantile(s, 0.95))} | ${f(s[0] ?? NaN)} | ${
    f(s[s.length - 1] ?? NaN)
  } |`;
}

function smallZone(i: number): string {
  return [
    "$TTL 300",
    `@ IN A 192.0.2.${(i % 250) + 1}`,
    "www IN CNAME @",
    "@ IN MX 10 mail",
    "mail IN A 192.0.2.200",
    `@ IN TXT "v=spf1 -all"`,
    "",
  ].join("\n");
}

async function latency(world: World): Promise<string[]> {
  await world.addUser("latency");
  const clone = await world.clone("latency");
  const worker = world.startWorker();
  await worker.waitForEvent((e) => e.event === "started");
  const waiter = new Redis(world.redisUrl);
  const keys = queueKeys(world.prefix);
  const total: number[] = [];
  const pushMs: number[] = [];
  const pickup: number[] = [];
  const sync: number[] = [];
  const publish: number[] = [];
  try {
    // One warm-up push (hosted zone creation, first clone) that is not counted.
    for (let i = 0; i <= PUSHES; i++) {
      await world.commit(clone, { "zones/latency.test": smallZone(i) }, `push ${i}`);
      const started = performance.now();
      const push = await world.push(clone);
      if (!push.uuid) throw new Error(`push ${i} queued nothing:\n${push.output}`);
      // Read at once: the job's hash is deleted when the job is acknowledged.
      const job = await world.redis.hget(keys.job(push.uuid), "json");
      const reply = await waiter.blpop(keys.done(push.uuid), 120);
      const seen = performance.now();
      const seenWall = Date.now();
      if (!reply) throw new Error(`job ${push.uuid} gave no result in 120 s`);
      const view = await world.logs(push.uuid);
      if (view?.status !== "succeeded") {
        throw new Error(`job ${push.uuid}: ${JSON.stringify(view)}`);
      }
      console.error(`push ${i}: ${Math.round(seen - push.returnedAt)} ms`);
      if (i === 0) continue;
      total.push(seen - push.returnedAt);
      pushMs.push(push.returnedAt - started);
      const start = worker.events().find((e) => e.event === "start" && e.uuid === push.uuid);
      const done = worker.events().find((e) => e.event === "done" && e.uuid === push.uuid);
      const queuedAt = job ? Date.parse(JSON.parse(job).queuedAt) : NaN;
      if (start && done) {
        pickup.push(Date.parse(String(start.ts)) - queuedAt);
        sync.push(Date.parse(String(done.ts)) - Date.parse(String(start.ts)));
        publish.push(seenWall - Date.parse(String(done.ts)));
      }
    }
  } finally {
    waiter.disconnect();
    worker.kill("SIGTERM");
    await worker.status;
  }
  return [
    `Latency, ${PUSHES} pushes (one worker daemon, small zone of 5 sets, one set changed per push):`,
    "",
    "| measure | median | p95 | min | max |",
    "|---|---|---|---|---|",
    summary("**git push returned → job succeeded**", total),
    summary("git push itself (hook included)", pushMs),
    summary("hook enqueued → worker starts the sync (pickup)", pickup),
    summary("sync (start → done, operator log)", sync),
    summary("done logged → result seen by the waiter", publish),
    "",
  ];
}

/**
 * `git push` with the hook waiting for the result (DNSAPI_HOOK_WAIT=10, the default)
 * against the same push without the wait (0), in pairs whose order alternates so drift
 * on the machine hits both alike. Each push changes one record; after a push without
 * the wait the job's result is awaited before the next push, so no push overlaps a sync.
 */
async function hookWait(world: World): Promise<string[]> {
  await world.addUser("waiter");
  const clone = await world.clone("waiter");
  const worker = world.startWorker();
  await worker.waitForEvent((e) => e.event === "started");
  const waiter = new Redis(world.redisUrl);
  const keys = queueKeys(world.prefix);
  const withWait: number[] = [];
  const without: number[] = [];
  const extra: number[] = [];
  let n = 0;
  const timedPush = async (wait: boolean): Promise<number> => {
    await world.commit(clone, { "zones/waiter.test": smallZone(n++) }, `push ${n}`);
    const started = performance.now();
    const push = await world.push(clone, ["origin", "main"], {
      DNS_API_HOOK_WAIT: wait ? "10" : "0",
    });
    const ms = push.returnedAt - started;
    if (!push.uuid) throw new Error(`push queued nothing:\n${push.output}`);
    if (wait) {
      // The waiting hook printed the sync's summary line before git push returned.
      if (!/waiter\.test: \+\d+ ~\d+ -\d+/.test(push.output)) {
        throw new Error(`the hook did not wait for the result:\n${push.output}`);
      }
    } else if (!(await waiter.blpop(keys.done(push.uuid), 120))) {
      throw new Error(`job ${push.uuid} gave no result in 120 s`);
    }
    return ms;
  };
  try {
    await timedPush(true); // warm-up: hosted zone creation, first clone
    for (let i = 0; i < WAIT_PAIRS; i++) {
      const order = i % 2 === 0 ? [true, false] : [false, true];
      const times = new Map<boolean, number>();
      for (const wait of order) times.set(wait, await timedPush(wait));
      withWait.push(times.get(true)!);
      without.push(times.get(false)!);
      extra.push(times.get(true)! - times.get(false)!);
    }
  } finally {
    waiter.disconnect();
    worker.kill("SIGTERM");
    await worker.status;
  }
  return [
    `Hook result wait, ${WAIT_PAIRS} pairs (one worker daemon, one set changed per push; the`,
    "order within a pair alternates):",
    "",
    "| measure | median | p95 | min | max |",
    "|---|---|---|---|---|",
    summary("git push, hook waits for the result (DNSAPI_HOOK_WAIT=10)", withWait),
    summary("git push, hook does not wait (DNSAPI_HOOK_WAIT=0)", without),
    summary("**waiting minus not waiting, per pair**", extra),
    "",
  ];
}

async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function throughput(world: World): Promise<string[]> {
  const users = Array.from({ length: USERS }, (_, i) => `u${String(i).padStart(3, "0")}`);
  const uuids: string[] = [];
  const setupStart = performance.now();
  // `user add` in process (the command's own code): 200 CLI start-ups would dominate.
  const ctx = createContext(loadConfig(world.env), { stdout: () => {}, stderr: console.error });
  try {
    await pool(users, CONCURRENCY, async (user) => {
      await addUserWithRepo(ctx, user);
      const clone = await world.clone(user);
      await world.commit(clone, { [`zones/${user}.test`]: smallZone(users.indexOf(user)) });
      const push = await world.push(clone);
      if (!push.uuid) throw new Error(`push of ${user} queued nothing:\n${push.output}`);
      uuids.push(push.uuid);
      if (uuids.length % 20 === 0) console.error(`${uuids.length} users pushed`);
    });
  } finally {
    await ctx.close(); // its MySQL pool would keep the process alive
  }
  console.error(
    `backlog of ${uuids.length} built in ${Math.round(performance.now() - setupStart)} ms`,
  );
  const spawned = performance.now();
  const workers = [world.startWorker(), world.startWorker()];
  for (const uuid of uuids) {
    const view = await world.waitFinal(uuid, 600_000);
    if (view.status !== "succeeded") throw new Error(`job ${uuid}: ${JSON.stringify(view)}`);
  }
  const wall = performance.now() - spawned;
  const events = workers.flatMap((w) => w.events());
  for (const w of workers) w.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.status));
  const starts = events.filter((e) => e.event === "start").map((e) => Date.parse(String(e.ts)));
  const dones = events.filter((e) => e.event === "done").map((e) => Date.parse(String(e.ts)));
  const span = Math.max(...dones) - Math.min(...starts);
  const perWorker = workers.map((w) => w.events().filter((e) => e.event === "done").length);
  const calls = world.route53.stats();
  return [
    `Throughput, backlog of ${USERS} users (one push each, queued before the workers started), 2 workers:`,
    "",
    `- syncs: ${dones.length} (per worker: ${perWorker.join(" + ")})`,
    `- first sync start → last sync done: ${(span / 1000).toFixed(1)} s → **${
      (dones.length / (span / 1000)).toFixed(1)
    } jobs/s**`,
    `- wall time from spawning the workers: ${(wall / 1000).toFixed(1)} s → ${
      (USERS / (wall / 1000)).toFixed(1)
    } jobs/s`,
    `- Route 53 calls (whole run, both parts): ${JSON.stringify(calls)}`,
    "",
  ];
}

const world = await createWorld({
  env: {
    DNSAPI_ROUTE53_RATE: RATE,
    DNSAPI_ROUTE53_BURST: RATE,
    // The production defaults, not the world's short test timings.
    DNSAPI_POLL_MS: "100",
    DNSAPI_LEASE_SECONDS: "30",
    DNSAPI_RETRY_BASE_SECONDS: "5",
  },
});
try {
  const lines = [
    `# e2e run ${new Date().toISOString()} (DNSAPI_ROUTE53_RATE=${RATE})`,
    "",
    `Machine: ${navigator.hardwareConcurrency} cores, load average ${
      (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ")
    } at the start.`,
    "",
    ...(PUSHES > 0 ? await latency(world) : []),
    ...(WAIT_PAIRS > 0 ? await hookWait(world) : []),
    ...(USERS > 0 ? await throughput(world) : []),
  ];
  console.log(lines.join("\n"));
} finally {
  await world.close();
}
