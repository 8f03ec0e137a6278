/**
 * The scheduled reconcile's pure parts (lib/worker/reconcile.ts): the pacing interval,
 * the scheduler's one-job-per-interval rule with fakes for MySQL, Redis and the queue,
 * what a reservation asks of the sync, the drift line, and the job shape it queues.
 */
import assert from "node:assert/strict";
import {
  type ReconcileDeps,
  reconcileIntervalMs,
  reconcileRequest,
  reconcileScheduler,
} from "../lib/worker.ts";
import { reconcileSummary } from "../lib/sync.ts";
import type { Domain } from "../lib/db.ts";
import { type Job, parseJob } from "../lib/queue.ts";
import { loadConfig } from "../lib/config.ts";

Deno.test("reconcileIntervalMs() spaces reconciles to use at most the share of the rate", () => {
  // 2 calls a reconcile; 10 calls/s × 0.2 = 2 calls/s for reconciles: one a second.
  assert.equal(reconcileIntervalMs(10, 0.2), 1000);
  assert.equal(reconcileIntervalMs(5, 0.2), 2000);
  assert.equal(reconcileIntervalMs(10, 0.5, 4), 800);
  // Over any window, calls spent = (window / interval) × calls ≤ rate × share × window.
  for (const [rate, share] of [[10, 0.2], [3, 0.1], [100, 1], [0.5, 0.05]] as const) {
    const interval = reconcileIntervalMs(rate, share);
    assert.ok((2 / interval) * 1000 <= rate * share + 1e-9, `${rate} ${share}`);
  }
  assert.equal(reconcileIntervalMs(10, 0), Infinity);
});

Deno.test("DNSAPI_RECONCILE_SHARE defaults to 0.2 and must be a fraction", () => {
  assert.equal(loadConfig({}).reconcileShare, 0.2);
  assert.equal(loadConfig({ DNSAPI_RECONCILE_SHARE: "0.05" }).reconcileShare, 0.05);
  assert.throws(() => loadConfig({ DNSAPI_RECONCILE_SHARE: "1.5" }), /DNSAPI_RECONCILE_SHARE/);
});

function domain(name: string, owner: string, lastFullSyncAt: Date | null): Domain {
  const t = new Date("2026-12-01T00:00:00Z");
  return {
    name,
    owner,
    hostedZoneId: "Z1",
    nameservers: [],
    lastSyncedCommit: "a".repeat(40),
    lastFullSyncAt,
    createdAt: t,
    updatedAt: t,
  };
}

function fakes(overdue: Domain[], intervalMs = 1000) {
  let clock = new Date("2026-12-03T12:00:00Z").getTime();
  const held = new Map<string, number>();
  const queued: Job[] = [];
  const asked: Date[] = [];
  const deps: ReconcileDeps = {
    db: {
      overdueDomains: (before, limit) => {
        asked.push(before);
        return Promise.resolve(overdue.slice(0, limit));
      },
    },
    queue: { enqueue: (job) => Promise.resolve(queued.push(job) > 0) },
    claim: (key, ms) => {
      if ((held.get(key) ?? 0) > clock) return Promise.resolve(false);
      held.set(key, clock + ms);
      return Promise.resolve(true);
    },
    prefix: "t:",
    reposRoot: "/repos/",
    fullSyncHours: 1,
    intervalMs,
    log: () => {},
    now: () => new Date(clock),
  };
  return { deps, queued, asked, held, advance: (ms: number) => clock += ms };
}

Deno.test("the scheduler queues a reconcile job for the most overdue domain, one per interval", async () => {
  const f = fakes([domain("old.test", "bob", null), domain("new.test", "amy", new Date(0))]);
  const tick = reconcileScheduler(f.deps);
  const job = await tick();
  assert.ok(job);
  assert.deepEqual(
    { user: job.user, repo: job.repo, reason: job.reason, zone: job.zone },
    { user: "bob", repo: "/repos/bob", reason: "reconcile", zone: "old.test" },
  );
  assert.deepEqual(f.queued, [job]);
  // Overdue means last fully synced before now minus DNSAPI_FULL_SYNC_HOURS.
  assert.equal(f.asked[0]?.toISOString(), "2026-12-03T11:00:00.000Z");
  // The queued job is one the worker's own schema takes.
  assert.ok(parseJob(JSON.stringify(job), "/repos").ok);

  assert.equal(await tick(), null, "a second call within the interval queues nothing");
  f.advance(999);
  assert.equal(await tick(), null);
  f.advance(1);
  // old.test was queued for this period: the next overdue one goes next.
  assert.equal((await tick())?.zone, "new.test");
  assert.equal(f.queued.length, 2);
});

Deno.test("the interval is shared by workers: one whose pace key is taken queues nothing", async () => {
  const f = fakes([domain("old.test", "bob", null)]);
  const first = reconcileScheduler(f.deps);
  const second = reconcileScheduler(f.deps);
  assert.ok(await first());
  assert.equal(await second(), null);
  assert.equal(f.queued.length, 1);
});

Deno.test("the scheduler is off with DNSAPI_FULL_SYNC_HOURS=0 or a zero share", async () => {
  const off = fakes([domain("old.test", "bob", null)]);
  assert.equal(await reconcileScheduler({ ...off.deps, fullSyncHours: 0 })(), null);
  assert.equal(await reconcileScheduler({ ...off.deps, intervalMs: Infinity })(), null);
  assert.equal(off.queued.length, 0);
  assert.equal(off.asked.length, 0);
});

Deno.test("reconcileRequest() reconciles the jobs' zones, and only them without a push", () => {
  assert.equal(reconcileRequest([{}, {}]), undefined);
  assert.deepEqual(reconcileRequest([{ reason: "reconcile", zone: "a.test" }]), {
    zones: ["a.test"],
    only: true,
  });
  assert.deepEqual(reconcileRequest([{}, { reason: "reconcile", zone: "a.test" }]), {
    zones: ["a.test"],
    only: false,
  });
});

Deno.test("reconcileSummary() names what was restored, only for an unchanged file", () => {
  const head = "b".repeat(40);
  const row = { ...domain("shop.test", "bob", null), lastSyncedCommit: head };
  const request = { reconcile: { zones: ["shop.test"], only: true } };
  const set = { name: "www.shop.test.", type: "A" as const, ttl: 300 };
  const plan = {
    changes: [{
      kind: "update" as const,
      before: { ...set, values: ["192.0.2.99"] },
      after: { ...set, values: ["192.0.2.8"] },
    }],
  };
  const job = { zone: "shop.test", head, domain: row };
  assert.equal(
    reconcileSummary(request, job, plan as never),
    "shop.test: changed outside the repository, restored: " +
      "~ www.shop.test. 300 A 192.0.2.99 -> 300 192.0.2.8",
  );
  assert.equal(
    reconcileSummary(request, job, { changes: [] }),
    "shop.test: reconciled with Route 53; nothing had changed outside the repository",
  );
  // A push's own changes are not drift; nor is a zone the reconcile was not asked for.
  assert.equal(reconcileSummary(request, { ...job, head: "c".repeat(40) }, plan as never), null);
  assert.equal(reconcileSummary({}, job, plan as never), null);
});

Deno.test("the job schema takes reason reconcile with a zone, and refuses other reasons", () => {
  const base = {
    uuid: "3f1c2b9e-6c1d-4f55-9a1e-2b7f0c4d5e6a",
    user: "steve",
    repo: "/repos/steve",
    queuedAt: "2026-11-25T12:00:00.000Z",
  };
  assert.ok(
    parseJob(JSON.stringify({ ...base, reason: "reconcile", zone: "a.test" }), "/repos").ok,
  );
  assert.ok(parseJob(JSON.stringify(base), "/repos").ok);
  assert.ok(!parseJob(JSON.stringify({ ...base, reason: "other" }), "/repos").ok);
  assert.ok(!parseJob(JSON.stringify({ ...base, zone: "A B" }), "/repos").ok);
});
