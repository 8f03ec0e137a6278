/**
 * The worker's handling of one reservation, in process: the queue and MySQL are small
 * in-memory fakes holding what a reader would find (job rows with their logs, published
 * results), and the sync is a fake returning a literal outcome.
 */
import assert from "node:assert/strict";
import type { Db, JobStatus, LogLevel, LogLineInput } from "../lib/db.ts";
import type { JobResult, Queue, Reservation, RetryOutcome } from "../lib/queue.ts";
import { UnrecoverableError } from "../lib/errors.ts";
import type { Route53Api } from "../lib/route53.ts";
import type { UserSyncResult } from "../lib/sync.ts";
import { failureReason, handleReservation, type WorkerDeps } from "../lib/worker.ts";
import { type JobSources, readJobView } from "../cli/report_cmds.ts";

type Sync = NonNullable<WorkerDeps["sync"]>;

/** A job row as MySQL holds it, with its log. */
interface Row {
  user: string;
  status: JobStatus;
  commit: string | null;
  error: string | null;
  coveredBy: string | null;
  log: { level: LogLevel; message: string }[];
}

/** What a reader can see: MySQL's job rows and the results Redis published. */
interface Stores {
  rows: Record<string, Row>;
  results: Record<string, JobResult>;
}

/** The fakes' shared state, and every write in the order it happened. */
interface Fakes {
  stores: Stores;
  /** `db.<method> <uuid>` and `queue.<method>`, in call order. */
  writes: string[];
  /** The stores before the first write and after each one. */
  history: Stores[];
  outcomes: string[];
  db: Db;
  queue: Queue;
}

/** A fake of `T` with only `methods`; anything else the worker touches fails the test. */
function only<T extends object>(name: string, methods: Partial<T>): T {
  return new Proxy(methods, {
    get(target, key) {
      if (typeof key === "symbol" || key === "then") return undefined;
      if (key in target) return target[key as keyof typeof target];
      throw new Error(`${name}.${key} was not expected to be used`);
    },
  }) as T;
}

const COMMIT = "c0ffee".padEnd(40, "0");

function fakes(options: { leaseLost?: boolean } = {}): Fakes {
  const stores: Stores = { rows: {}, results: {} };
  const writes: string[] = [];
  const history = [structuredClone(stores)];
  // Each fake write is atomic, as one statement, one transaction or one MULTI is.
  const wrote = (what: string) => {
    writes.push(what);
    history.push(structuredClone(stores));
  };
  const row = (uuid: string, user: string): Row =>
    stores.rows[uuid] ??= {
      user,
      status: "queued",
      commit: null,
      error: null,
      coveredBy: null,
      log: [],
    };
  const append = (uuid: string, lines: readonly LogLineInput[]) => {
    const log = stores.rows[uuid]?.log;
    assert.ok(log, `log lines for ${uuid}, which has no job row`);
    log.push(...lines.map((l) => ({ level: l.level, message: l.message })));
  };
  const publish = (r: Reservation, status: JobResult["status"], lines: string[]) => {
    for (const uuid of r.uuids) stores.results[uuid] = { uuid, status, lines, coveredBy: r.syncId };
  };
  const db = only<Db>("Db", {
    startJobs(user, jobs) {
      for (const job of jobs) {
        row(job.uuid, user).status = "running";
        wrote(`db.startJob ${job.uuid}`);
      }
      return Promise.resolve();
    },
    appendLog({ uuid }, lines) {
      append(uuid, lines);
      wrote(`db.appendLog ${uuid}`);
      return Promise.resolve();
    },
    finishJob(job) {
      const finished = row(job.uuid, job.user);
      finished.status = job.status;
      finished.commit = job.commit ?? finished.commit;
      finished.error = job.error ?? null;
      finished.coveredBy = job.coveredBy ?? null;
      append(job.uuid, job.log ?? []);
      wrote(`db.finishJob ${job.uuid}`);
      return Promise.resolve();
    },
    requeueJob(job) {
      const requeued = row(job.uuid, job.user);
      requeued.status = "queued";
      requeued.error = job.error;
      wrote(`db.requeueJob ${job.uuid}`);
      return Promise.resolve();
    },
  });
  const queue = only<Queue>("Queue", {
    heartbeat: () => Promise.resolve(!options.leaseLost),
    complete(r, outcome) {
      publish(r, outcome?.status ?? "succeeded", outcome?.lines ?? []);
      wrote("queue.complete");
      return Promise.resolve(true);
    },
    settle(r, error): Promise<RetryOutcome> {
      const permanent = error instanceof UnrecoverableError;
      if (permanent) publish(r, "failed", [error.message]);
      wrote("queue.settle");
      return Promise.resolve(permanent ? { kind: "failed" } : { kind: "retry", delayMs: 5000 });
    },
  });
  return { stores, writes, history, outcomes: [], db, queue };
}

function reservation(pushes: number): Reservation {
  const jobs = Array.from({ length: pushes }, (_, i) => ({
    uuid: crypto.randomUUID(),
    user: "alice",
    repo: "/srv/git/alice",
    queuedAt: new Date(Date.UTC(2025, 0, 1, 12, 0, i)).toISOString(),
  }));
  const uuids = jobs.map((j) => j.uuid);
  return {
    user: "alice",
    token: "t",
    workerId: "w1",
    attempt: 1,
    jobs,
    uuids,
    syncId: uuids[pushes - 1]!,
  };
}

function depsOf(f: Fakes, sync: Sync, extra: Partial<WorkerDeps> = {}): WorkerDeps {
  return {
    queue: f.queue,
    db: f.db,
    api: only<Route53Api>("Route53Api", {}),
    settings: { reposRoot: "/srv/git", workRoot: "/var/lib/dns-api/work", zonesDir: "zones" },
    workerId: "w1",
    log: () => {},
    observer: { jobFinished: (outcome) => f.outcomes.push(outcome) },
    sync,
    ...extra,
  };
}

const SYNCED: UserSyncResult = {
  user: "alice",
  commit: COMMIT,
  ok: true,
  zones: [{
    zone: "shop.test",
    file: "zones/shop.test",
    status: "synced",
    summary: "shop.test: +1 ~0 -0",
  }],
  log: [
    { level: "info", message: "create www.shop.test. A 300 192.0.2.1", zone: "shop.test" },
    { level: "info", message: "shop.test: +1 ~0 -0", zone: "shop.test" },
  ],
};

const REFUSED: UserSyncResult = {
  user: "alice",
  commit: COMMIT,
  ok: false,
  zones: [
    {
      zone: "shop.test",
      file: "zones/shop.test",
      status: "synced",
      summary: "shop.test: +1 ~0 -0",
    },
    {
      zone: "bank.test",
      file: "zones/bank.test",
      status: "refused",
      summary: "bank.test: refused: the domain belongs to another user",
    },
  ],
  log: [
    { level: "info", message: "shop.test: +1 ~0 -0", zone: "shop.test" },
    {
      level: "error",
      message: "bank.test: refused: the domain belongs to another user",
      zone: "bank.test",
    },
  ],
};

const returning = (result: UserSyncResult): Sync => () => Promise.resolve(result);
const throwing = (error: Error): Sync => () => Promise.reject(error);
const messages = (row: Row | undefined) => row?.log.map((l) => l.message);

Deno.test("handleReservation() logs a sync of 3 pushes under the newest uuid, and each other uuid names that sync", async () => {
  const f = fakes();
  const r = reservation(3);
  await handleReservation(depsOf(f, returning(SYNCED)), r);

  const [first, second, newest] = r.uuids;
  assert.deepEqual(messages(f.stores.rows[newest!]), [
    "this sync covered 3 pushes",
    "create www.shop.test. A 300 192.0.2.1",
    "shop.test: +1 ~0 -0",
  ]);
  for (const uuid of [first!, second!]) {
    assert.deepEqual(messages(f.stores.rows[uuid]), [
      `covered by the sync of job ${newest} (3 pushes in one sync)`,
      "shop.test: +1 ~0 -0",
    ]);
    assert.equal(f.stores.rows[uuid]?.coveredBy, newest);
  }
  for (const uuid of r.uuids) {
    assert.equal(f.stores.rows[uuid]?.status, "succeeded");
    assert.equal(f.stores.rows[uuid]?.commit, COMMIT);
    assert.equal(f.stores.results[uuid]?.status, "succeeded");
  }
  assert.equal(f.stores.rows[newest!]?.coveredBy, null);
  assert.deepEqual(f.outcomes, ["succeeded"]);
});

Deno.test("handleReservation() fails every covered uuid with the sync's lines when a zone is refused", async () => {
  const f = fakes();
  const r = reservation(2);
  await handleReservation(depsOf(f, returning(REFUSED)), r);

  const lines = ["shop.test: +1 ~0 -0", "bank.test: refused: the domain belongs to another user"];
  for (const uuid of r.uuids) {
    const row = f.stores.rows[uuid];
    assert.equal(row?.status, "failed");
    assert.equal(row?.error, "bank.test: refused: the domain belongs to another user");
    assert.deepEqual(messages(row)?.slice(1), lines);
    assert.deepEqual(f.stores.results[uuid], {
      uuid,
      status: "failed",
      lines,
      coveredBy: r.syncId,
    });
  }
  const covered = f.stores.rows[r.uuids[0]!];
  assert.deepEqual(covered?.log.slice(1).map((l) => l.level), ["warn", "warn"]);
  assert.deepEqual(f.outcomes, ["failed"]);
});

Deno.test("handleReservation() records a permanent failure in MySQL before the queue publishes it", async () => {
  const f = fakes();
  const r = reservation(2);
  let rowsWhenPublished: Record<string, Row> = {};
  const queue = f.queue;
  const deps = depsOf(f, throwing(new UnrecoverableError("Cannot sync: user alice is banned")), {
    queue: only<Queue>("Queue", {
      heartbeat: queue.heartbeat,
      settle(reservation, error) {
        rowsWhenPublished = structuredClone(f.stores.rows);
        return queue.settle(reservation, error);
      },
    }),
  });
  await handleReservation(deps, r);

  for (const uuid of r.uuids) {
    const row = rowsWhenPublished[uuid];
    assert.equal(row?.status, "failed");
    assert.equal(row?.error, "Cannot sync: user alice is banned");
    assert.deepEqual(row?.log.at(-1), {
      level: "error",
      message: "Cannot sync: user alice is banned",
    });
    assert.equal(f.stores.results[uuid]?.status, "failed");
  }
  assert.deepEqual(f.outcomes, ["failed"]);
});

Deno.test("handleReservation() hands a transient error to the queue's retry and leaves no final status", async () => {
  const f = fakes();
  const r = reservation(2);
  await handleReservation(depsOf(f, throwing(new Error("Route 53 throttled"))), r);

  for (const uuid of r.uuids) {
    const row = f.stores.rows[uuid];
    assert.equal(row?.status, "queued");
    assert.equal(row?.error, "Route 53 throttled");
    assert.deepEqual(
      messages(row),
      ["attempt 1 failed (Route 53 throttled); retrying in 5 s"],
    );
  }
  assert.deepEqual(f.stores.results, {});
  assert.ok(!f.writes.includes("queue.complete"), f.writes.join("\n"));
  assert.deepEqual(f.outcomes, ["retry"]);
});

Deno.test("handleReservation() finishes nothing once the lease is lost", async () => {
  const f = fakes({ leaseLost: true });
  const r = reservation(2);
  // The sync runs until the worker learns from a heartbeat that the user is no longer
  // its own, then ends normally: its result must not be recorded.
  const untilLost: Sync = async (deps) => {
    while (deps.stillOwned?.() !== false) await new Promise((ok) => setTimeout(ok, 1));
    return SYNCED;
  };
  await handleReservation(depsOf(f, untilLost, { heartbeatMs: 1 }), r);

  for (const uuid of r.uuids) {
    assert.equal(f.stores.rows[uuid]?.status, "running");
    assert.deepEqual(f.stores.rows[uuid]?.log, []);
  }
  assert.deepEqual(f.stores.results, {});
  assert.deepEqual(f.writes, r.uuids.map((uuid) => `db.startJob ${uuid}`));
  assert.deepEqual(f.outcomes, ["lost"]);
});

Deno.test("failureReason() names the zones that failed, not those synced or kept", () => {
  assert.equal(failureReason(SYNCED), null);
  assert.equal(
    failureReason({
      ...REFUSED,
      zones: [
        ...REFUSED.zones,
        {
          zone: "old.test",
          file: "zones/old.test",
          status: "deleted",
          summary: "old.test: file deleted, records kept",
        },
        {
          zone: "bad.test",
          file: "zones/bad.test",
          status: "invalid",
          summary:
            "bad.test: not synced: 2 error(s) in zones/bad.test; Route 53 was left as it was",
        },
      ],
    }),
    "bank.test: refused: the domain belongs to another user; " +
      "bad.test: not synced: 2 error(s) in zones/bad.test; Route 53 was left as it was",
  );
});

Deno.test("failureReason() of a sync that failed before any zone gives its error lines", () => {
  const failed = {
    user: "ann",
    commit: "c0ffee",
    zones: [],
    log: [
      { level: "info" as const, message: "synced working copy to c0ffee" },
      { level: "error" as const, message: "zones is a file, not a folder: move it into zones/" },
    ],
    ok: false,
  };
  assert.equal(failureReason(failed), "zones is a file, not a folder: move it into zones/");
  assert.equal(failureReason({ ...failed, log: [] }), "sync failed; see the job's log");
});

/**
 * `logs`'s sources answering each read from the stores as they were at `schedule[i]`
 * (an index into the history) for the i-th read: a reader whose reads fall between
 * the worker's writes at those points.
 */
function readingAt(history: Stores[], schedule: number[]): JobSources {
  let reads = 0;
  const at = () => history[schedule[Math.min(reads++, schedule.length - 1)]!]!;
  return {
    db: {
      getJobWithLogs(uuid) {
        const row = at().rows[uuid];
        if (!row) return Promise.resolve(null);
        const ts = new Date().toISOString();
        const log = row.log.map((l) => ({ ts, level: l.level, zone: null, message: l.message }));
        return Promise.resolve({
          uuid,
          user: row.user,
          status: row.status,
          commit: row.commit,
          log,
        });
      },
    },
    queue: {
      // Until a result is published, a reserved uuid is `running` in Redis.
      jobState: (uuid) => Promise.resolve(at().results[uuid]?.status ?? "running"),
      waitResult: (uuid) => Promise.resolve(at().results[uuid] ?? null),
    },
    queuedUser: () => {
      at();
      return Promise.resolve("alice");
    },
  };
}

/** Every non-decreasing sequence of `length` indexes below `size`. */
function schedules(size: number, length: number): number[][] {
  if (length === 0) return [[]];
  return schedules(size, length - 1).flatMap((head) =>
    Array.from({ length: size - (head.at(-1) ?? 0) }, (_, i) => [...head, (head.at(-1) ?? 0) + i])
  );
}

Deno.test("logs never reports a final status without the sync's commit and lines, however its reads interleave with the worker's writes", async () => {
  const f = fakes();
  const r = reservation(2);
  await handleReservation(depsOf(f, returning(SYNCED)), r);

  let finals = 0;
  for (const uuid of r.uuids) {
    for (const schedule of schedules(f.history.length, 4)) {
      const view = await readJobView(readingAt(f.history, schedule), uuid);
      if (view?.status !== "succeeded" && view?.status !== "failed") continue;
      finals++;
      const seen = `${JSON.stringify(view)}\nread at: ${
        schedule.map((i) => f.writes[i - 1] ?? "start").join(", ")
      }`;
      assert.equal(view.status, "succeeded", seen);
      assert.equal(view.commit, COMMIT, seen);
      assert.ok(view.log.some((l) => l.message === "shop.test: +1 ~0 -0"), seen);
    }
  }
  assert.ok(finals > 0, "some reader saw the job finished");
});
