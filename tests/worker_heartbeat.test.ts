/**
 * The lease of a sync that reads a large or pathological zone file: the worker's
 * heartbeat is a timer on the main thread, so it runs only when the sync gives the
 * event loop a turn. Real Redis queue (lease 600 ms, heartbeat every 100 ms); the sync
 * is a fake that reads one zone file as the real one does, for about 2 s of CPU.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import type { Db } from "../lib/db.ts";
import { createQueue, type Queue } from "../lib/queue.ts";
import type { Route53Api } from "../lib/route53.ts";
import type { UserSyncResult } from "../lib/sync.ts";
import { handleReservation, type WorkerDeps } from "../lib/worker.ts";
import { parseZone, parseZoneYielding } from "../lib/zones.ts";

type Sync = NonNullable<WorkerDeps["sync"]>;

const LEASE_MS = 600;
// Bad lines until the time budget stops the read (read in full: 25-80 s): 2 s, over
// three leases.
const PATHOLOGICAL = "a b\n".repeat(2_500_000);
const LIMITS = { maxParseMs: 2_000 };

const db = {
  startJobs: () => Promise.resolve(),
  finishJob: () => Promise.resolve(),
  appendLog: () => Promise.resolve(),
  requeueJob: () => Promise.resolve(),
} as unknown as Db;

/** A sync that reads the file with `read`, asking for the lease before and after. */
function readingSync(
  read: (text: string) => unknown,
  owned: boolean[],
): Sync {
  return async (deps, request) => {
    owned.push(deps.stillOwned?.() ?? true);
    const parsed = await read(PATHOLOGICAL) as { errors: unknown[] };
    assert.ok(parsed.errors.length > 0);
    owned.push(deps.stillOwned?.() ?? true);
    const result: UserSyncResult = {
      user: request.user,
      commit: null,
      zones: [],
      log: [],
      ok: true,
    };
    return result;
  };
}

async function withQueues(body: (one: Queue, two: Queue) => Promise<void>): Promise<void> {
  const prefix = `test:${crypto.randomUUID()}:`;
  const clients = [new Redis(), new Redis()];
  const [one, two] = clients.map((client) =>
    createQueue(client, { reposRoot: "/srv/repos", prefix, leaseMs: LEASE_MS })
  ) as [Queue, Queue];
  try {
    await body(one, two);
  } finally {
    const keys = await clients[0]!.keys(`${prefix}*`);
    if (keys.length > 0) await clients[0]!.del(...keys);
    for (const client of clients) client.disconnect();
  }
}

async function runOne(one: Queue, two: Queue, sync: Sync) {
  const uuid = crypto.randomUUID();
  await one.enqueue({
    uuid,
    user: "steve",
    repo: "/srv/repos/steve",
    queuedAt: new Date().toISOString(),
  });
  const r = await one.reserve("w1", 1000);
  assert.ok(r);
  const events: string[] = [];
  // Another worker polls all along; it must never get steve while w1 holds him.
  const stolen: string[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const other = await two.reserve("w2", 0);
      if (other) stolen.push(other.user);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await handleReservation({
    queue: one,
    db,
    api: {} as Route53Api,
    settings: {} as WorkerDeps["settings"],
    workerId: "w1",
    log: (e) => events.push(String(e.event)),
    heartbeatMs: 100,
    leaseMs: LEASE_MS,
    sync,
  }, r);
  polling = false;
  await poller;
  return { events, stolen, state: await one.jobState(uuid) };
}

Deno.test("a sync reading a pathological file for seconds keeps its lease and completes", async () => {
  await withQueues(async (one, two) => {
    const owned: boolean[] = [];
    const sync = readingSync(
      (text) => parseZoneYielding(text, { zone: "shop.test", limits: LIMITS }),
      owned,
    );
    const { events, stolen, state } = await runOne(one, two, sync);
    assert.deepEqual(owned, [true, true], "the lease was held before and after the read");
    assert.deepEqual(stolen, [], "no other worker got the user meanwhile");
    assert.deepEqual(events, ["start", "done"]);
    assert.equal(state, "succeeded");
  });
});

Deno.test("the same read done without giving the event loop a turn loses the lease (why the worker yields)", async () => {
  await withQueues(async (one, two) => {
    const owned: boolean[] = [];
    const sync = readingSync(
      (text) => parseZone(text, { zone: "shop.test", limits: LIMITS }),
      owned,
    );
    const { stolen } = await runOne(one, two, sync);
    assert.deepEqual(owned, [true, false], "the worker knows it may have lost the user");
    assert.deepEqual(stolen, ["steve"], "and another worker took the user over");
  });
});
