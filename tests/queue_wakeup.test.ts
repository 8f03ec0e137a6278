/**
 * Idle workers wake up on a token rather than polling: every test sets the poll interval
 * to a minute, so a reservation that arrives at all arrived through a wake-up.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { createQueue, type Job, type Queue, type QueueOptions } from "../lib/queue.ts";

const REDIS_URL = "redis://127.0.0.1:6379";
const ROOT = "/srv/repos";
const MINUTE = 60_000;

interface World {
  prefix: string;
  /** A queue on a connection of its own, named `<prefix><name>` (its blocking one too). */
  queue(name: string, options?: Partial<QueueOptions>): Queue;
  /** Resolves once `count` of this world's connections are blocked in BLPOP. */
  blocked(count: number): Promise<void>;
}

async function withWorld(body: (world: World) => Promise<void>, url = REDIS_URL): Promise<void> {
  const prefix = `test:${crypto.randomUUID()}:`;
  const admin = new Redis(url);
  const clients: Redis[] = [];
  const world: World = {
    prefix,
    queue(name, options = {}) {
      const client = new Redis(url, { connectionName: `${prefix}${name}` });
      clients.push(client);
      return createQueue(client, { reposRoot: ROOT, prefix, pollMs: MINUTE, ...options });
    },
    async blocked(count) {
      for (;;) {
        const list = String(await admin.client("LIST"));
        const ours = list.split("\n").filter((line) =>
          line.includes(`name=${prefix}`) && line.includes("cmd=blpop")
        );
        if (ours.length >= count) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
  try {
    await body(world);
  } finally {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    for (const client of [admin, ...clients]) client.disconnect();
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

Deno.test("a blocked reserve resolves on another client's enqueue, without a poll tick", async () => {
  await withWorld(async (world) => {
    const worker = world.queue("w1");
    const hook = world.queue("hook");
    const reserving = worker.reserve("w1", MINUTE);
    await world.blocked(1);
    const pushed = job("steve");
    assert.equal(await hook.enqueue(pushed), true);
    const r = await reserving;
    assert.deepEqual(r?.uuids, [pushed.uuid]);
    assert.ok(r && await worker.complete(r));
  });
});

Deno.test("two blocked workers and one job: exactly one of them reserves it", async () => {
  await withWorld(async (world) => {
    const a = world.queue("a");
    const b = world.queue("b");
    const results = Promise.all([a.reserve("a", 1500), b.reserve("b", 1500)]);
    await world.blocked(2);
    const pushed = job("steve");
    await world.queue("hook").enqueue(pushed);
    const got = (await results).filter((r) => r !== null);
    assert.equal(got.length, 1);
    assert.deepEqual(got[0]!.uuids, [pushed.uuid]);
  });
});

Deno.test("a retry's backoff wakes a blocked worker when it comes due", async () => {
  await withWorld(async (world) => {
    const backoff = { baseMs: 300, maxMs: 300, jitter: 0 };
    const a = world.queue("a", { backoff });
    const b = world.queue("b", { backoff });
    const pushed = job("steve");
    await a.enqueue(pushed);
    const first = await a.reserve("a", MINUTE);
    assert.ok(first);
    const retrying = b.reserve("b", MINUTE);
    await world.blocked(1);
    assert.deepEqual(await a.retryLater(first, "Route 53 throttled"), {
      kind: "retry",
      delayMs: 300,
    });
    const second = await retrying;
    assert.equal(second?.attempt, 2);
    assert.deepEqual(second?.uuids, [pushed.uuid]);
  });
});

Deno.test("a reserve aborted while blocked returns null and leaves no connection", async () => {
  await withWorld(async (world) => {
    const worker = world.queue("w1");
    const stop = new AbortController();
    const reserving = worker.reserve("w1", MINUTE, stop.signal);
    await world.blocked(1);
    stop.abort();
    assert.equal(await reserving, null);
  });
});

/** A redis-server of our own (no persistence) on `port`, to stop and start again. */
function startRedis(port: number): Deno.ChildProcess {
  return new Deno.Command("redis-server", {
    args: ["--port", String(port), "--save", "", "--appendonly", "no"],
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function untilPong(url: string): Promise<void> {
  for (;;) {
    // A fresh client per attempt: one whose first connect failed stays "connecting".
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
    probe.on("error", () => {});
    try {
      await probe.connect();
      if (await probe.ping() === "PONG") return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      probe.disconnect();
    }
  }
}

Deno.test("a worker blocked across a Redis restart wakes on the first enqueue after it", async () => {
  const listener = Deno.listen({ port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const url = `redis://127.0.0.1:${port}`;
  let server = startRedis(port);
  try {
    await untilPong(url);
    await withWorld(async (world) => {
      const worker = world.queue("w1");
      const reserving = worker.reserve("w1", MINUTE);
      await world.blocked(1);
      server.kill("SIGKILL");
      await server.status;
      server = startRedis(port);
      await untilPong(url);
      await world.blocked(1);
      const pushed = job("steve");
      assert.equal(await world.queue("hook").enqueue(pushed), true);
      assert.deepEqual((await reserving)?.uuids, [pushed.uuid]);
    }, url);
  } finally {
    try {
      server.kill("SIGKILL");
    } catch {
      // already stopped
    }
    await server.status;
  }
});
