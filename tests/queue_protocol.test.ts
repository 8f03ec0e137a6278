import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Redis } from "ioredis";
import type { Job } from "../lib/queue.ts";
import {
  createQueue,
  type Queue,
  type QueueLogEntry,
  type QueueOptions,
  type Reservation,
  UnrecoverableError,
} from "../lib/queue.ts";

const REDIS_URL = "redis://127.0.0.1:6379";
const ROOT = "/srv/repos";

interface World {
  redis: Redis;
  prefix: string;
  legacyKey: string;
  logs: QueueLogEntry[];
  queue(options?: Partial<QueueOptions>): Queue;
}

/** A key prefix (and legacy key) of its own, fresh clients, everything removed after. */
async function withQueue(body: (world: World) => Promise<void>): Promise<void> {
  const prefix = `test:${crypto.randomUUID()}:`;
  const clients: Redis[] = [];
  const logs: QueueLogEntry[] = [];
  const world: World = {
    redis: new Redis(REDIS_URL),
    prefix,
    legacyKey: `${prefix}HOOK:JOBS`,
    logs,
    queue(options = {}) {
      // Each queue gets its own connection, as separate workers would.
      const client = new Redis(REDIS_URL);
      clients.push(client);
      return createQueue(client, {
        reposRoot: ROOT,
        prefix,
        legacyKey: world.legacyKey,
        log: (e) => logs.push(e),
        ...options,
      });
    },
  };
  try {
    await body(world);
  } finally {
    const keys = await world.redis.keys(`${prefix}*`);
    if (keys.length > 0) await world.redis.del(...keys);
    for (const client of [world.redis, ...clients]) client.disconnect();
  }
}

function job(user: string): Job {
  return {
    uuid: crypto.randomUUID(),
    user,
    repo: `${ROOT}/${user}`,
    queuedAt: new Date().toISOString(),
  };
}

async function push(queue: Queue, user: string, n = 1): Promise<string[]> {
  const uuids: string[] = [];
  for (let i = 0; i < n; i++) {
    const j = job(user);
    assert.equal(await queue.enqueue(j), true);
    uuids.push(j.uuid);
  }
  return uuids;
}

async function mustReserve(queue: Queue, worker = "w1"): Promise<Reservation> {
  const r = await queue.reserve(worker, 2000);
  assert.ok(r, "a reservation was expected");
  return r;
}

Deno.test("queue: a queued job is reserved, reported running, completed and reported succeeded", async () => {
  await withQueue(async ({ queue }) => {
    const q = queue();
    const [uuid] = await push(q, "steve");
    assert.ok(uuid);
    assert.equal(await q.jobState(uuid), "queued");
    const r = await mustReserve(q);
    assert.equal(r.user, "steve");
    assert.deepEqual(r.uuids, [uuid]);
    assert.equal(r.jobs[0]?.repo, `${ROOT}/steve`);
    assert.equal(r.attempt, 1);
    assert.equal(await q.jobState(uuid), "running");
    const stats = await q.stats();
    assert.equal(stats.runningJobs, 1);
    assert.deepEqual(stats.running.map((s) => [s.user, s.workerId]), [["steve", "w1"]]);
    assert.equal(await q.complete(r, { lines: ["shop.test: +3 ~1 -2"] }), true);
    assert.equal(await q.jobState(uuid), "succeeded");
    assert.deepEqual((await q.waitResult(uuid, 0))?.lines, ["shop.test: +3 ~1 -2"]);
    assert.equal(await q.reserve("w1", 0), null, "nothing is left to reserve");
    const after = await q.stats();
    assert.deepEqual([after.queuedJobs, after.runningJobs, after.readyUsers], [0, 0, 0]);
  });
});

Deno.test("queue: a reservation whose worker stopped heartbeating is taken over after its lease", async () => {
  await withQueue(async ({ queue }) => {
    const one = queue({ leaseMs: 150 });
    const two = queue({ leaseMs: 150 });
    const [uuid] = await push(one, "steve");
    const lost = await mustReserve(one, "w1");
    const [later] = await push(two, "steve"); // pushed while w1 held the user
    const taken = await mustReserve(two, "w2");
    assert.deepEqual(taken.uuids, [uuid, later], "the lost job again, then the newer one");
    assert.equal(taken.attempt, 2, "the lost reservation counts as an attempt");
    assert.equal(await one.heartbeat(lost), false, "the old holder learns it lost the lock");
    assert.equal(await one.complete(lost), false, "and cannot acknowledge");
    assert.equal(await two.complete(taken), true);
    assert.equal(await two.jobState(uuid!), "succeeded");
  });
});

Deno.test("queue: heartbeats keep a reservation past its lease length", async () => {
  await withQueue(async ({ queue }) => {
    const one = queue({ leaseMs: 300 });
    const two = queue({ leaseMs: 300 });
    await push(one, "steve");
    const r = await mustReserve(one, "w1");
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await one.heartbeat(r), true);
      assert.equal(await two.reserve("w2", 0), null, "the user stays locked");
    }
    assert.equal(await one.complete(r), true);
  });
});

Deno.test("queue: one user is never reserved by two workers at once", async () => {
  await withQueue(async ({ queue }) => {
    const one = queue();
    const two = queue();
    await push(one, "steve");
    const r = await mustReserve(one, "w1");
    const [later] = await push(two, "steve");
    assert.equal(await two.reserve("w2", 300), null, "steve is locked by w1");
    assert.equal(await one.complete(r), true);
    const next = await mustReserve(two, "w2");
    assert.deepEqual(next.uuids, [later]);
    assert.equal(await two.complete(next), true);
  });
});

Deno.test("queue: two workers racing over many users never hold one user twice", async () => {
  await withQueue(async ({ queue }) => {
    const workers = [queue(), queue()];
    const users = ["ann", "bob", "cat", "dan"];
    const all: string[] = [];
    for (let round = 0; round < 5; round++) {
      for (const user of users) all.push(...await push(workers[0]!, user));
    }
    const active = new Set<string>();
    const finished: string[] = [];
    let overlaps = 0;
    await Promise.all(workers.map(async (q, i) => {
      for (;;) {
        const r = await q.reserve(`w${i}`, 200);
        if (!r) return;
        if (active.has(r.user)) overlaps++;
        active.add(r.user);
        // Push during the sync, as customers do, so the lock is contended.
        if (finished.length < 10) await push(q, r.user).then((u) => all.push(...u));
        await new Promise((resolve) => setTimeout(resolve, 20));
        active.delete(r.user);
        assert.equal(await q.complete(r), true);
        finished.push(...r.uuids);
      }
    }));
    assert.equal(overlaps, 0);
    assert.deepEqual([...finished].sort(), [...all].sort(), "every uuid finished exactly once");
  });
});

Deno.test("queue: a burst of 20 pushes by one user costs two syncs and every uuid notes its sync", async () => {
  await withQueue(async ({ queue }) => {
    const one = queue();
    const two = queue();
    const first = await push(one, "steve");
    const r1 = await mustReserve(one, "w1");
    const rest = await push(one, "steve", 19); // arrive while r1 syncs
    assert.equal(await two.reserve("w2", 0), null);
    assert.equal(await one.complete(r1, { lines: ["shop.test: +1 ~0 -0"] }), true);
    const r2 = await mustReserve(two, "w2");
    assert.deepEqual(r2.uuids, rest, "the second sync covers all 19, oldest first");
    assert.equal(r2.syncId, rest[18]);
    assert.equal(await two.complete(r2, { lines: ["shop.test: +0 ~1 -0"] }), true);
    assert.equal(await one.reserve("w1", 0), null, "no third sync");
    for (const uuid of [...first, ...rest]) {
      const result = await one.waitResult(uuid, 0);
      assert.equal(result?.status, "succeeded");
      assert.equal(result?.coveredBy, rest.includes(uuid) ? r2.syncId : r1.syncId);
    }
  });
});

Deno.test("queue: coverNote names the covering sync for every other uuid", async () => {
  const { coverNote } = await import("../lib/queue.ts");
  const r: Reservation = {
    user: "steve",
    token: "t",
    workerId: "w",
    attempt: 1,
    jobs: [],
    uuids: ["a", "b", "c"],
    syncId: "c",
  };
  assert.equal(coverNote(r, "a"), "covered by the sync of job c (3 pushes in one sync)");
  assert.equal(coverNote(r, "c"), "this sync covered 3 pushes");
  assert.equal(coverNote({ ...r, uuids: ["c"] }, "c"), "synced by this job");
});

Deno.test("queue: a user with 50 waiting jobs does not delay a user with one", async () => {
  await withQueue(async ({ queue }) => {
    const q = queue();
    await push(q, "busy", 50);
    const [small] = await push(q, "small");
    const r1 = await mustReserve(q);
    assert.equal(r1.user, "busy");
    assert.equal(r1.uuids.length, 50, "the 50 jobs are one sync");
    await push(q, "busy", 3); // busy keeps pushing
    assert.equal(await q.complete(r1), true);
    const r2 = await mustReserve(q);
    assert.equal(r2.user, "small", "the other user is served before busy's next sync");
    assert.deepEqual(r2.uuids, [small]);
    assert.equal(await q.complete(r2), true);
    assert.equal((await mustReserve(q)).user, "busy");
  });
});

Deno.test("queue: transient failures wait out a backoff before the next attempt", async () => {
  await withQueue(async ({ queue }) => {
    const q = queue({ backoff: { baseMs: 60_000, maxMs: 60_000 } });
    await push(q, "steve");
    const r = await mustReserve(q);
    assert.deepEqual(await q.retryLater(r, "Route 53 throttled"), {
      kind: "retry",
      delayMs: 60_000,
    });
    assert.equal(await q.reserve("w1", 0), null, "not due before the delay");
    const stats = await q.stats();
    assert.deepEqual([stats.readyUsers, stats.dueUsers, stats.queuedJobs], [1, 0, 1]);
  });
});

Deno.test("queue: retries are counted and exhausted jobs go to the dead list with the reason", async () => {
  await withQueue(async ({ queue }) => {
    const q = queue({ maxAttempts: 3, backoff: { baseMs: 1, maxMs: 4 } });
    const [uuid] = await push(q, "steve");
    const outcomes = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const r = await mustReserve(q);
      assert.equal(r.attempt, attempt);
      outcomes.push(await q.retryLater(r, "git fetch timed out"));
    }
    assert.deepEqual(outcomes, [
      { kind: "retry", delayMs: 1 },
      { kind: "retry", delayMs: 2 },
      { kind: "failed" },
    ]);
    assert.equal(await q.jobState(uuid!), "failed");
    const [dead] = await q.recentDead(10);
    assert.ok(dead && typeof dead === "object" && "reason" in dead && "uuid" in dead);
    assert.equal(dead.uuid, uuid);
    assert.equal(dead.reason, "gave up after 3 attempts: git fetch timed out");
    assert.equal((await q.stats()).deadJobs, 1);
    assert.equal(await q.reserve("w1", 0), null);
  });
});

Deno.test("queue: an unrecoverable error fails at once, skipping retries", async () => {
  await withQueue(async ({ queue }) => {
    const q = queue();
    const [uuid] = await push(q, "steve");
    const r = await mustReserve(q);
    assert.deepEqual(await q.settle(r, new UnrecoverableError("user steve is banned")), {
      kind: "failed",
    });
    assert.deepEqual((await q.waitResult(uuid!, 0))?.lines, ["user steve is banned"]);
    assert.equal(await q.reserve("w1", 0), null);
  });
});

Deno.test("queue: requeue on shutdown gives the user back without counting an attempt", async () => {
  await withQueue(async ({ queue }) => {
    const q = queue();
    await push(q, "steve");
    assert.equal(await q.requeue(await mustReserve(q)), true);
    assert.equal((await mustReserve(q)).attempt, 1);
  });
});

Deno.test("queue: invalid payloads are set aside with a reason and valid ones still run", async () => {
  await withQueue(async ({ queue, redis, prefix, logs }) => {
    const q = queue();
    const good = job("steve");
    const bad = {
      notJson: "{uuid: nope",
      wrongShape: JSON.stringify({ uuid: crypto.randomUUID(), user: "steve" }),
      escape: JSON.stringify({ ...job("steve"), repo: `${ROOT}/alice/../steve` }),
      otherUser: JSON.stringify(job("alice")),
    };
    // Written the way a buggy or hostile producer would, bypassing enqueue().
    for (const raw of Object.values(bad)) {
      const uuid = crypto.randomUUID();
      await redis.hset(`${prefix}job:${uuid}`, "json", raw, "state", "queued");
      await redis.rpush(`${prefix}pending:steve`, uuid);
    }
    const missing = crypto.randomUUID();
    await redis.rpush(`${prefix}pending:steve`, missing); // no job data at all
    await q.enqueue(good);
    const r = await mustReserve(q);
    assert.deepEqual(r.uuids, [good.uuid]);
    assert.equal(await q.jobState(missing), "failed", "a refused uuid still gets a final status");
    assert.deepEqual((await q.waitResult(missing, 0))?.lines, ["job refused: job data missing"]);
    const invalid = await q.recentInvalid(10);
    const reasons = invalid.map((e) => e && typeof e === "object" && "reason" in e ? e.reason : e);
    assert.equal(reasons.length, 5);
    assert.ok(reasons.some((x) => String(x).startsWith("not JSON")));
    assert.ok(reasons.some((x) => String(x).startsWith("wrong shape")));
    assert.ok(reasons.some((x) => String(x).includes(`is not ${ROOT}/steve`)));
    assert.ok(reasons.some((x) => String(x).includes("queued as")));
    assert.ok(reasons.includes("job data missing"));
    assert.equal(logs.filter((l) => l.event === "invalid").length, 5);
    assert.equal(await q.complete(r), true);
  });
});

Deno.test("queue: a reservation of only invalid payloads ends without a sync and without a crash", async () => {
  await withQueue(async ({ queue, redis, prefix }) => {
    const q = queue();
    await redis.hset(`${prefix}job:x`, "json", "[]", "state", "queued");
    await redis.rpush(`${prefix}pending:steve`, "x");
    await redis.zadd(`${prefix}ready`, 0, "steve");
    assert.equal(await q.reserve("w1", 0), null);
    assert.equal((await q.stats()).invalidPayloads, 1);
  });
});

Deno.test("queue: legacy jobs added with SADD to HOOK:JOBS are taken in", async () => {
  await withQueue(async ({ queue, redis, legacyKey }) => {
    const q = queue();
    const uuid = crypto.randomUUID();
    await redis.sadd(legacyKey, JSON.stringify({ uuid, user: "steve", repo: `${ROOT}/steve` }));
    await redis.sadd(legacyKey, "not json at all");
    assert.equal((await q.stats()).legacyWaiting, 2);
    const r = await mustReserve(q);
    assert.deepEqual(r.uuids, [uuid]);
    assert.ok(r.jobs[0]?.queuedAt, "a queue time is filled in");
    assert.equal(await redis.exists(legacyKey), 0, "both payloads left the legacy set");
    assert.equal((await q.stats()).invalidPayloads, 1);
  });
});

Deno.test("queue: legacy jobs added with RPUSH to HOOK:JOBS are taken in, in order", async () => {
  await withQueue(async ({ queue, redis, legacyKey }) => {
    const q = queue();
    const uuids = [crypto.randomUUID(), crypto.randomUUID()];
    for (const uuid of uuids) {
      await redis.rpush(legacyKey, JSON.stringify({ uuid, user: "steve", repo: `${ROOT}/steve` }));
    }
    await redis.rpush(legacyKey, JSON.stringify({ uuid: uuids[0], user: "x/../y", repo: "/" }));
    const r = await mustReserve(q);
    assert.deepEqual(r.uuids, uuids);
    assert.equal(await redis.llen(legacyKey), 0);
    assert.equal((await q.stats()).invalidPayloads, 1);
  });
});

Deno.test("queue: a legacy key of another type is reported, not fatal", async () => {
  await withQueue(async ({ queue, redis, legacyKey, logs }) => {
    const q = queue();
    await redis.set(legacyKey, "surprise");
    await push(q, "steve");
    assert.ok(await q.reserve("w1", 0));
    assert.ok(logs.some((l) => l.event === "legacy" && l.message.includes("is a string")));
  });
});

Deno.test("queue: a published result can be waited for, and waiting ends when none comes", async () => {
  await withQueue(async ({ queue }) => {
    const q = queue({ pollMs: 20 });
    const uuid = crypto.randomUUID();
    const waiting = q.waitResult(uuid, 5000);
    await q.publishResult({ uuid, status: "failed", lines: ["zones/shop.test:3: bad TTL"] });
    assert.deepEqual(await waiting, {
      uuid,
      status: "failed",
      lines: ["zones/shop.test:3: bad TTL"],
    });
    assert.equal(await q.waitResult(crypto.randomUUID(), 50), null);
  });
});

Deno.test("queue: a due user held by another worker's sync counts one lock wait per lock", async () => {
  await withQueue(async (w) => {
    const [a, b] = [w.queue(), w.queue()];
    assert.equal(await a.lockWaits(), 0);
    await a.enqueue(job("steve"));
    const held = await a.reserve("w1", 1000);
    assert.ok(held);
    await a.enqueue(job("steve"));
    assert.equal(await b.reserve("w2", 300), null);
    assert.equal(await b.reserve("w2", 300), null);
    assert.equal(await b.lockWaits(), 1);
    assert.ok(await a.complete(held));
    const next = await b.reserve("w2", 1000);
    assert.equal(next?.user, "steve");
    assert.equal(await a.lockWaits(), 1);
  });
});

// Legacy payloads byte for byte as the original producers wrote them: the hook
// script's key order and Perl's JSON encoder (no spaces), version-1 uuids.
const V1 = ["6fa459ea-ee8a-11e0-a0b2-0800200c9a66", "7b2e14d0-ee8a-11e0-9b5f-0800200c9a66"];
const originalHook = (owner: string, uuid: string, url = `${ROOT}/${owner}`) =>
  `{"owner":"${owner}","url":"${url}","uuid":"${uuid}"}`;

async function invalidReasons(q: Queue): Promise<string[]> {
  return (await q.recentInvalid(100)).map((e) =>
    typeof e === "object" && e !== null && "reason" in e ? String(e.reason) : String(e)
  );
}

Deno.test("queue: the original hook's RPUSH {owner,url,uuid} is queued for the existing user", async () => {
  await withQueue(async ({ queue, redis, legacyKey }) => {
    const asked: string[] = [];
    const q = queue({
      userExists: (user) => {
        asked.push(user);
        return Promise.resolve(user === "steve");
      },
    });
    await redis.rpush(legacyKey, originalHook("steve", V1[0]!));
    await redis.rpush(legacyKey, originalHook("Steve", V1[1]!.toUpperCase(), `${ROOT}/Steve`));
    assert.equal(await q.intakeLegacy(), 2);
    const r = await mustReserve(q);
    assert.equal(r.user, "steve");
    assert.deepEqual(r.uuids, V1);
    assert.deepEqual(r.jobs.map((j) => j.repo), [`${ROOT}/steve`, `${ROOT}/steve`]);
    assert.deepEqual(asked, ["steve", "steve"], "Steve is the user steve");
    assert.equal(await redis.exists(legacyKey), 0);
  });
});

Deno.test("queue: a legacy job naming no existing user is set aside with the reason and a final status", async () => {
  await withQueue(async ({ queue, redis, legacyKey }) => {
    const q = queue({ userExists: () => Promise.resolve(false) });
    await redis.rpush(legacyKey, originalHook("Nobody", V1[0]!));
    assert.equal(await q.intakeLegacy(), 0);
    assert.deepEqual(await invalidReasons(q), [
      "no user nobody exists (user names compare case-insensitively)",
    ]);
    const result = await q.waitResult(V1[0]!, 0);
    assert.equal(result?.status, "failed");
    assert.match(result?.lines[0] ?? "", /^job refused: no user nobody exists/);
    assert.equal(await redis.exists(legacyKey), 0);
  });
});

Deno.test("queue: the webhook receiver's RPUSH with a clone URL is set aside: remotes are not registered", async () => {
  await withQueue(async ({ queue, redis, legacyKey }) => {
    const q = queue();
    await redis.rpush(legacyKey, originalHook("steve", V1[0]!, "git@github.com:steve/dns.git"));
    assert.equal(await q.intakeLegacy(), 0);
    const [reason] = await invalidReasons(q);
    assert.match(reason ?? "", /^remote repositories are not registered for steve; /);
    assert.equal((await q.waitResult(V1[0]!, 0))?.status, "failed");
    assert.equal(await redis.exists(legacyKey), 0);
  });
});

Deno.test("queue: the seed's SADD {uuid,user,repo} with a version-1 uuid is queued", async () => {
  await withQueue(async ({ queue, redis, legacyKey }) => {
    const q = queue({ userExists: (user) => Promise.resolve(user === "steve") });
    await redis.sadd(legacyKey, `{"uuid":"${V1[0]}","user":"Steve","repo":"${ROOT}/steve"}`);
    const r = await mustReserve(q);
    assert.deepEqual([r.user, r.uuids], ["steve", [V1[0]]]);
    assert.equal(await redis.exists(legacyKey), 0);
  });
});

Deno.test("queue: a legacy payload reusing a queued, running or finished uuid is set aside, the job untouched", async () => {
  await withQueue(async ({ queue, redis, legacyKey, prefix }) => {
    const known = crypto.randomUUID();
    const q = queue({ jobKnown: (uuid) => Promise.resolve(uuid === known) });
    const [queued] = await push(q, "alice");
    const reuse = (uuid: string) =>
      redis.rpush(legacyKey, originalHook("bob", uuid)).then(() => q.intakeLegacy());

    assert.equal(await reuse(queued!), 0, "queued: not queued again");
    assert.equal(await q.jobState(queued!), "queued");
    const r = await mustReserve(q);
    assert.deepEqual([r.user, r.uuids], ["alice", [queued]]);
    assert.equal(await reuse(queued!), 0, "running: not queued again");
    assert.equal(await q.jobState(queued!), "running");
    assert.equal(await q.complete(r, { lines: ["alice.test: +1"] }), true);
    assert.equal(await reuse(queued!), 0, "finished: not queued again");
    assert.equal(await reuse(known), 0, "known only to MySQL: not queued again");

    assert.deepEqual(await q.waitResult(queued!, 0), {
      uuid: queued,
      status: "succeeded",
      lines: ["alice.test: +1"],
      coveredBy: queued,
    });
    assert.equal(await q.waitResult(known, 0), null, "no status is published for a known uuid");
    assert.deepEqual(
      await invalidReasons(q),
      [known, queued, queued, queued].map((u) =>
        `job id ${u} is already in use: a job id names one push only`
      ),
    );
    assert.equal(await redis.exists(legacyKey), 0);
    assert.equal(await redis.exists(`${prefix}pending:bob`), 0, "nothing was queued for bob");
  });
});

Deno.test("queue: 50 payloads that are not UTF-8 ahead of a job are set aside once; the job is queued in the same pass", async () => {
  await withQueue(async ({ queue, redis, legacyKey }) => {
    const q = queue();
    for (let i = 0; i < 50; i++) {
      // Latin-1 bytes, as a Perl producer writes a string it never encoded.
      const bytes = new TextEncoder().encode(`{"owner":"steve","url":"${ROOT}/steve","uuid":"${i}`);
      await redis.rpush(legacyKey, Buffer.from([...bytes, 0xfc, 0x22, 0x7d]));
    }
    await redis.rpush(legacyKey, originalHook("steve", V1[0]!));
    assert.equal(await q.intakeLegacy(), 1, "the job behind them is queued in this pass");
    assert.equal(await redis.exists(legacyKey), 0, "the exact bytes were removed");
    const reasons = await invalidReasons(q);
    assert.equal(reasons.length, 50);
    assert.ok(reasons.every((r) => r === "not valid UTF-8"), String(reasons[0]));
    assert.equal(await q.intakeLegacy(), 0);
    assert.equal((await q.stats()).invalidPayloads, 50, "set aside once, not on every poll");
    assert.deepEqual((await mustReserve(q)).uuids, [V1[0]]);
  });
});

Deno.test("queue: a legacy payload starting with a byte-order mark is removed by its exact bytes", async () => {
  await withQueue(async ({ queue, redis, legacyKey }) => {
    const q = queue();
    await redis.sadd(legacyKey, `\ufeff${originalHook("steve", V1[0]!)}`);
    assert.equal(await q.intakeLegacy(), 0);
    assert.equal(await redis.exists(legacyKey), 0);
    assert.match((await invalidReasons(q))[0] ?? "", /^not JSON/);
  });
});

Deno.test("queue: while the user lookup fails, legacy payloads wait and hook jobs are still reserved", async () => {
  await withQueue(async ({ queue, redis, legacyKey, logs }) => {
    const q = queue({ userExists: () => Promise.reject(new Error("connect ECONNREFUSED")) });
    await redis.rpush(legacyKey, originalHook("steve", V1[0]!));
    const [hooked] = await push(q, "alice");
    assert.deepEqual((await mustReserve(q)).uuids, [hooked]);
    assert.equal(await redis.llen(legacyKey), 1, "the payload waits for the next pass");
    assert.equal((await q.stats()).invalidPayloads, 0);
    await q.intakeLegacy();
    const said = logs.filter((l) => l.event === "legacy" && l.message.includes("ECONNREFUSED"));
    assert.equal(said.length, 1, "said once, not on every poll");
  });
});

Deno.test("queue: a user whose worker died goes behind the users already due, not in front", async () => {
  await withQueue(async ({ queue }) => {
    const one = queue({ leaseMs: 150 });
    const two = queue({ leaseMs: 150 });
    await push(one, "crasher");
    await mustReserve(one, "w1"); // w1 is killed mid-sync: no heartbeat, no acknowledgement
    await push(two, "alice");
    await push(two, "bob");
    await new Promise((resolve) => setTimeout(resolve, 300)); // the lease runs out
    const order = [];
    for (let i = 0; i < 3; i++) {
      const r = await mustReserve(two, "w2");
      order.push(r.user);
      assert.equal(await two.complete(r), true);
    }
    assert.deepEqual(order, ["alice", "bob", "crasher"]);
  });
});

Deno.test("queue: a sync handed back past the shutdown deadline waits behind the users already due", async () => {
  await withQueue(async ({ queue }) => {
    const q = queue();
    await push(q, "slow");
    const r = await mustReserve(q);
    await push(q, "alice");
    assert.equal(await q.requeue(r), true);
    assert.equal((await mustReserve(q)).user, "alice");
  });
});

Deno.test("queue: a user whose sync failed waits out its backoff behind the users already due", async () => {
  await withQueue(async ({ queue }) => {
    const q = queue({ backoff: { baseMs: 1, maxMs: 1 } });
    await push(q, "failing");
    const r = await mustReserve(q);
    await push(q, "alice");
    await new Promise((resolve) => setTimeout(resolve, 20)); // past the 1 ms backoff
    assert.equal((await q.retryLater(r, "Route 53 throttled")).kind, "retry");
    assert.equal((await mustReserve(q)).user, "alice");
  });
});
