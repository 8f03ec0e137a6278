/**
 * The worker loop tells its observer it is alive (`tick`): once per iteration, and on
 * each lease renewal while a sync is in hand, so `/healthz` can tell a stuck loop from
 * a long sync. Fake queue and sync; no clock thresholds.
 */
import assert from "node:assert/strict";
import type { Db } from "../lib/db.ts";
import type { Queue, Reservation } from "../lib/queue.ts";
import type { Route53Api } from "../lib/route53.ts";
import type { UserSyncResult } from "../lib/sync.ts";
import { runWorker, type WorkerDeps } from "../lib/worker.ts";

const db = {
  startJobs: () => Promise.resolve(),
  finishJob: () => Promise.resolve(),
  appendLog: () => Promise.resolve(),
  requeueJob: () => Promise.resolve(),
} as unknown as Db;

const reservation: Reservation = {
  user: "tia",
  token: "t",
  workerId: "w1",
  attempt: 1,
  jobs: [{ uuid: "u1", user: "tia", repo: "/srv/repos/tia", queuedAt: new Date().toISOString() }],
  uuids: ["u1"],
  syncId: "u1",
};

function fakeQueue(reservations: (Reservation | null)[]): Queue {
  return {
    reserve: () => Promise.resolve(reservations.shift() ?? null),
    heartbeat: () => Promise.resolve(true),
    complete: () => Promise.resolve(),
  } as unknown as Queue;
}

function deps(queue: Queue, ticks: string[], sync?: WorkerDeps["sync"]): WorkerDeps {
  return {
    queue,
    db,
    api: {} as Route53Api,
    settings: {} as WorkerDeps["settings"],
    workerId: "w1",
    log: () => {},
    heartbeatMs: 1,
    sync,
    observer: { tick: () => ticks.push("tick") },
  };
}

Deno.test("runWorker() ticks once per iteration, also when nothing is due", async () => {
  const ticks: string[] = [];
  await runWorker(deps(fakeQueue([null]), ticks), {
    quiet: new AbortController().signal,
    untilIdle: true,
  });
  assert.deepEqual(ticks, ["tick"]);
});

Deno.test("runWorker() ticks on lease renewals while a sync is in hand", async () => {
  const ticks: string[] = [];
  const sync: WorkerDeps["sync"] = async (_deps, request) => {
    const before = ticks.length;
    // Waits for a renewal to tick: without it this sync would never end.
    while (ticks.length === before) await new Promise((done) => setTimeout(done, 1));
    const result: UserSyncResult = {
      user: request.user,
      commit: null,
      zones: [],
      log: [],
      ok: true,
    };
    return result;
  };
  await runWorker(deps(fakeQueue([reservation, null]), ticks, sync), {
    quiet: new AbortController().signal,
    untilIdle: true,
  });
  assert.ok(ticks.length >= 3, `an iteration, a renewal, an iteration: ${ticks.length}`);
});
