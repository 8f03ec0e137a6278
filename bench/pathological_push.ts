/**
 * Fairness under a pathological push (issue 9 item 4), end to end on one machine: how
 * long another customer's small push takes to be synced while one customer's push of a
 * pathological zone file (10 MB of lines `a b`, an unknown type; read in full it would
 * take 25-80 s, the parser's 5 s time budget stops it) is being refused. Real git pushes through the installed hooks, the
 * shared Redis and MariaDB, `main.ts run` worker daemons as subprocesses, the local
 * Route 53 server (testing/world.ts).
 *
 * Scenarios, each `--runs` times (default 5), after one warm-up push of alice's zone:
 * - `alone`: alice pushes a one-record change; nothing else runs.
 * - `pre-receive`: mallory's push is refused by pre-receive (the parse runs in the
 *   hook on the git host); alice pushes 0.5 s after mallory's push started.
 * - `worker-1`, `worker-2`: mallory's repository has no pre-receive hook, so the file
 *   reaches the worker (one worker daemon, as the systemd unit runs, or two); alice
 *   pushes once mallory's push returned, i.e. while mallory's sync is queued or running.
 *
 * Measured for alice: `git push` returned → her job's result published (BLPOP on
 * `done:<uuid>`, as a waiting hook sees it). For mallory: the push's own duration
 * (`pre-receive`) or push returned → her job's final status (`worker-*`).
 *
 * Run: `deno run -A bench/pathological_push.ts [--runs 5]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { queueKeys } from "../lib/queue.ts";
import { createWorld, type WorkerProcess, type World } from "../testing/world.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "5" } },
});
const RUNS = Number(values.runs);

function junk(run: number): string {
  return `; run ${run}\n` + "a b\n".repeat(2_500_000);
}

function small(i: number): string {
  return `$TTL 300\n@ IN A 192.0.2.${(i % 250) + 1}\nwww IN CNAME @\n`;
}

function median(ms: number[]): number {
  const s = [...ms].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]!;
}

function row(label: string, ms: number[]): string {
  const r = (n: number) => `${Math.round(n)} ms`;
  return `| ${label} | ${r(median(ms))} | ${r(Math.min(...ms))} | ${
    r(Math.max(...ms))
  } | ${ms.length} |`;
}

interface Setup {
  world: World;
  waiter: Redis;
  alice: string;
  mallory: string;
  push: number;
}

/** Pushes a change of alice's zone; resolves with push returned → result published. */
async function alicePush(s: Setup): Promise<number> {
  const i = s.push++;
  await s.world.commit(s.alice, { "zones/alice.test": small(i) }, `alice ${i}`);
  const push = await s.world.push(s.alice);
  if (!push.uuid) throw new Error(`alice's push queued nothing:\n${push.output}`);
  const reply = await s.waiter.blpop(queueKeys(s.world.prefix).done(push.uuid), 120);
  const seen = performance.now();
  if (!reply) throw new Error(`alice's job ${push.uuid} gave no result`);
  const view = await s.world.logs(push.uuid);
  if (view?.status !== "succeeded") throw new Error(`alice: ${JSON.stringify(view)}`);
  return seen - push.returnedAt;
}

async function main(): Promise<void> {
  const world = await createWorld();
  const waiter = new Redis(world.redisUrl);
  const workers: WorkerProcess[] = [];
  const out: string[] = [];
  try {
    await world.addUser("alice");
    await world.addUser("mallory");
    const s: Setup = {
      world,
      waiter,
      alice: await world.clone("alice"),
      mallory: await world.clone("mallory"),
      push: 0,
    };
    const hook = `${world.reposRoot}/mallory/hooks/pre-receive`;
    const hookText = await Deno.readTextFile(hook);
    workers.push(world.startWorker());
    await workers[0]!.waitForEvent((e) => e.event === "started");
    await alicePush(s); // warm-up: hosted zone creation

    const alone: number[] = [];
    for (let run = 0; run < RUNS; run++) alone.push(await alicePush(s));

    const preAlice: number[] = [], preMallory: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await world.commit(s.mallory, { "zones/mallory.test": junk(run) }, `junk ${run}`);
      const started = performance.now();
      const refused = world.push(s.mallory).then((p) => {
        if (p.code === 0 || !p.output.includes("took longer than 5 s")) {
          throw new Error(`mallory's push was not refused for its time:\n${p.output}`);
        }
        return p.returnedAt - started;
      });
      await new Promise((r) => setTimeout(r, 500));
      preAlice.push(await alicePush(s));
      preMallory.push(await refused);
      await world.git(["reset", "-q", "--hard", "HEAD~1"], s.mallory);
    }

    await Deno.remove(hook);
    const viaWorker = async (label: string) => {
      const a: number[] = [], m: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        await world.commit(s.mallory, { "zones/mallory.test": junk(100 + run) }, `junk ${run}`);
        const push = await world.push(s.mallory);
        if (!push.uuid) throw new Error(`mallory's push queued nothing:\n${push.output}`);
        const final = world.waitFinal(push.uuid, 120_000).then((job) => {
          if (job.status !== "failed") throw new Error(`mallory: ${JSON.stringify(job)}`);
          return performance.now() - push.returnedAt;
        });
        a.push(await alicePush(s));
        m.push(await final);
      }
      out.push(row(`${label}: alice's push returned → synced`, a));
      out.push(row(`${label}: mallory's push returned → refused (job failed)`, m));
    };
    out.push("| measure | median | min | max | runs |", "|---|---|---|---|---|");
    out.push(row("alone: alice's push returned → synced", alone));
    out.push(row("pre-receive: alice's push returned → synced", preAlice));
    out.push(row("pre-receive: mallory's push (refused by the hook), whole duration", preMallory));
    await viaWorker("worker-1");
    workers.push(world.startWorker());
    await workers[1]!.waitForEvent((e) => e.event === "started");
    await viaWorker("worker-2");
    await Deno.writeTextFile(hook, hookText);
  } finally {
    waiter.disconnect();
    for (const w of workers) w.kill("SIGTERM");
    for (const w of workers) await w.status;
    await world.close();
  }
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  console.log(out.join("\n"));
  console.log(`\nload average at the end: ${load}; ${navigator.hardwareConcurrency} cores`);
}

if (import.meta.main) await main();
