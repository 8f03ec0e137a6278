import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import {
  assertSchemaCurrent,
  createDatabaseIfMissing,
  migrate,
  type Migration,
  MIGRATIONS,
  type MysqlDb,
  openDb,
  parseDatabaseUrl,
  schemaStatus,
  userProblem,
} from "../lib/db.ts";
import { UnrecoverableError } from "../lib/errors.ts";

const assertEquals = (actual: unknown, expected: unknown, message?: string) =>
  message === undefined
    ? assert.deepStrictEqual(actual, expected)
    : assert.deepStrictEqual(actual, expected, message);

/** Awaits a rejection of the expected class whose message includes `text`; returns it. */
async function assertRejects(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  cls: new (...args: any[]) => Error,
  text = "",
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    assert(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert(e.message.includes(text), e.message);
    return e;
  }
  throw new assert.AssertionError({ message: "expected a rejection" });
}

const ROOT_URL = "mysql://root@127.0.0.1:3306";

/** A fresh, migrated database for one test; dropped afterwards. */
async function withDb(fn: (db: MysqlDb, url: string) => Promise<void>, migrated = true) {
  const name = `dnsapi_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const url = `${ROOT_URL}/${name}`;
  await createDatabaseIfMissing(url);
  const db = await openDb(url);
  try {
    if (migrated) await migrate(db);
    await fn(db, url);
  } finally {
    await db.close();
    const conn = await mysql.createConnection({ host: "127.0.0.1", user: "root" });
    try {
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    } finally {
      await conn.end();
    }
  }
}

Deno.test("migrate() applies every migration once and a second run applies nothing", async () => {
  await withDb(async (db) => {
    assertEquals(await schemaStatus(db), {
      current: 0,
      latest: MIGRATIONS.at(-1)?.version ?? 0,
      pending: MIGRATIONS.map((m) => m.version),
    });
    assertEquals(await migrate(db), MIGRATIONS.map((m) => m.version));
    assertEquals(await migrate(db), []);
    const status = await schemaStatus(db);
    assertEquals(status.pending, []);
    assertEquals(status.current, status.latest);
    assertSchemaCurrent(status);
  }, false);
});

Deno.test("schemaStatus() reports a new migration as pending and the worker refuses to start", async () => {
  await withDb(async (db) => {
    const next: Migration[] = [
      ...MIGRATIONS,
      {
        version: 1000,
        name: "test column",
        statements: ["ALTER TABLE users ADD COLUMN note VARCHAR(20) NULL"],
      },
    ];
    const before = await schemaStatus(db, next);
    assertEquals(before.pending, [1000]);
    let message = "";
    try {
      assertSchemaCurrent(before);
    } catch (e) {
      message = e instanceof Error ? e.message : "";
    }
    assert(message.includes("run `dns-api-worker migrate`"), message);
    assertEquals(await migrate(db, next), [1000]);
    assertEquals((await schemaStatus(db, next)).current, 1000);
    // A worker built before migration 1000 must not run against it either.
    const old = await schemaStatus(db);
    assertEquals(old.current, 1000);
    let newer = "";
    try {
      assertSchemaCurrent(old);
    } catch (e) {
      newer = e instanceof Error ? e.message : "";
    }
    assert(newer.includes("newer than this worker"), newer);
  });
});

Deno.test("migrate() run by two processes at once applies each migration once", async () => {
  await withDb(async (_db, url) => {
    const other = await openDb(url);
    try {
      const [a, b] = await Promise.all([migrate(_db), migrate(other)]);
      assertEquals([...a, ...b].sort(), MIGRATIONS.map((m) => m.version));
    } finally {
      await other.close();
    }
  }, false);
});

Deno.test("users: add, get, ban, unban, expire, list", async () => {
  await withDb(async (db) => {
    const steve = await db.addUser("steve");
    assertEquals(steve.status, "active");
    assertEquals(steve.expiresAt, null);
    await assertRejects(() => db.addUser("steve"), RangeError, "taken");
    for (const bad of ["Steve", "../x", "", "a b"]) {
      await assertRejects(() => db.addUser(bad), TypeError, "must match");
    }
    await db.addUser("ann", new Date("2030-01-02T03:04:05.678Z"));
    assertEquals((await db.getUser("ann"))?.expiresAt?.toISOString(), "2030-01-02T03:04:05.678Z");
    assertEquals(await db.getUser("nobody"), null);

    assertEquals(await db.banUser("steve"), true);
    assertEquals((await db.getUser("steve"))?.status, "banned");
    assertEquals(await db.unbanUser("steve"), true);
    assertEquals((await db.getUser("steve"))?.status, "active");
    assertEquals(await db.setUserStatus("steve", "suspended"), true);
    assertEquals((await db.getUser("steve"))?.status, "suspended");
    assertEquals(await db.banUser("nobody"), false);

    const at = new Date("2026-01-01T00:00:00.000Z");
    assertEquals(await db.expireUser("steve", at), true);
    assertEquals(await db.expireUser("steve", at), true);
    assertEquals((await db.getUser("steve"))?.expiresAt?.toISOString(), at.toISOString());
    assertEquals(await db.expireUser("nobody", at), false);
    assertEquals((await db.listUsers()).map((u) => u.name), ["ann", "steve"]);
  });
});

Deno.test("userProblem() refuses missing, banned, suspended and expired users", () => {
  const now = new Date("2026-06-01T00:00:00Z");
  const base = { name: "u", status: "active" as const, expiresAt: null, createdAt: now };
  assertEquals(userProblem(base, "u", now), null);
  assertEquals(userProblem(null, "u", now), "user u does not exist");
  assertEquals(userProblem({ ...base, status: "banned" }, "u", now), "user u is banned");
  assertEquals(userProblem({ ...base, status: "suspended" }, "u", now), "user u is suspended");
  const past = new Date("2026-05-01T00:00:00Z");
  assertEquals(
    userProblem({ ...base, expiresAt: past }, "u", now),
    "user u expired at 2026-05-01T00:00:00.000Z",
  );
  assertEquals(userProblem({ ...base, expiresAt: new Date("2027-01-01Z") }, "u", now), null);
});

Deno.test("domains: claim an unowned domain, refuse another user's, its parent and child", async () => {
  await withDb(async (db) => {
    await db.addUser("steve");
    await db.addUser("ann");
    assertEquals(await db.claimDomain("steve", "Shop.Test."), {
      allowed: true,
      zone: "shop.test",
      claim: true,
    });
    assertEquals(await db.claimDomain("steve", "shop.test"), {
      allowed: true,
      zone: "shop.test",
      claim: false,
    });
    const taken = await db.claimDomain("ann", "shop.test");
    assert(!taken.allowed);
    const child = await db.claimDomain("ann", "eu.shop.test");
    assert(!child.allowed && child.reason.includes("inside shop.test"), JSON.stringify(child));
    assertEquals((await db.claimDomain("steve", "eu.shop.test")).allowed, true);
    assertEquals((await db.claimDomain("ann", "test.shop")).allowed, true, "unrelated name");
    // A parent of steve's domain is refused to ann without naming steve's subdomain.
    await db.claimDomain("steve", "a.b.example-co.test");
    const up = await db.claimDomain("ann", "example-co.test");
    assert(!up.allowed && up.reason.includes("subdomain"), JSON.stringify(up));
    assert(!up.allowed && !up.reason.includes("a.b."), "the child's name is not revealed");
    const suffix = await db.claimDomain("ann", "co.uk");
    assert(!suffix.allowed);

    assertEquals((await db.listDomains("steve")).map((d) => d.name), [
      "a.b.example-co.test",
      "eu.shop.test",
      "shop.test",
    ]);
    assertEquals((await db.listDomains("ann")).map((d) => d.name), ["test.shop"]);
    assertEquals(
      (await db.domainsRelatedTo("b.example-co.test")).map((d) => d.name),
      ["a.b.example-co.test"],
    );
    assertEquals((await db.domainsRelatedTo("x.eu.shop.test")).map((d) => d.name), [
      "eu.shop.test",
      "shop.test",
    ]);
  });
});

Deno.test("domains: LIKE wildcards in a name match only literally", async () => {
  await withDb(async (db) => {
    await db.addUser("steve");
    await db.claimDomain("steve", "ab.test");
    assertEquals(await db.domainsRelatedTo("_b.test"), []);
    assertEquals(await db.domainsRelatedTo("%"), []);
  });
});

Deno.test("domains: concurrent claims of one name give it to exactly one user", async () => {
  await withDb(async (db) => {
    const users = ["u1", "u2", "u3", "u4", "u5"];
    for (const u of users) await db.addUser(u);
    const results = await Promise.all(users.map((u) => db.claimDomain(u, "race.test")));
    assertEquals(results.filter((r) => r.allowed).length, 1);
  });
});

Deno.test("domains: concurrent claims of a parent and its child by two users give one of them", async () => {
  await withDb(async (db) => {
    await db.addUser("ann");
    await db.addUser("bob");
    for (let i = 0; i < 5; i++) {
      const [a, b] = await Promise.all([
        db.claimDomain("ann", `p${i}.test`),
        db.claimDomain("bob", `x.p${i}.test`),
      ]);
      assertEquals([a, b].filter((r) => r.allowed).length, 1, `round ${i}`);
    }
  });
});

Deno.test("domains: updateDomainAfterSync stores zone id, nameservers and commit", async () => {
  await withDb(async (db) => {
    await db.addUser("steve");
    await db.claimDomain("steve", "shop.test");
    const fresh = await db.getDomain("SHOP.test.");
    assertEquals(fresh?.nameservers, []);
    assertEquals(fresh?.hostedZoneId, null);
    assertEquals(fresh?.lastFullSyncAt, null);
    const ns = ["ns-1.awsdns-01.org.", "ns-2.awsdns-02.com."];
    assertEquals(
      await db.updateDomainAfterSync("shop.test", {
        hostedZoneId: "Z123",
        nameservers: ns,
        lastSyncedCommit: "a".repeat(40),
        fullSync: true,
      }),
      true,
    );
    const synced = await db.getDomain("shop.test");
    assertEquals(synced?.hostedZoneId, "Z123");
    assertEquals(synced?.nameservers, ns);
    assertEquals(synced?.lastSyncedCommit, "a".repeat(40));
    assert(synced?.lastFullSyncAt instanceof Date);
    await db.updateDomainAfterSync("shop.test", { lastSyncedCommit: "b".repeat(40) });
    const again = await db.getDomain("shop.test");
    assertEquals(again?.hostedZoneId, "Z123", "omitted fields are kept");
    assertEquals(again?.lastSyncedCommit, "b".repeat(40));
    assertEquals(await db.updateDomainAfterSync("none.test", { hostedZoneId: "Z" }), false);
    assertEquals(await db.getDomain("none.test"), null);
  });
});

Deno.test("domains: assignDomain records an existing zone under the ownership rule; releaseDomain deletes only the row", async () => {
  await withDb(async (db) => {
    await db.addUser("steve");
    await db.addUser("ann");
    const zone = { hostedZoneId: "ZOPS", nameservers: ["ns-1.example"] };
    const assigned = await db.assignDomain("steve", "Ops.Test.", zone);
    assert(!("reason" in assigned));
    assertEquals([assigned.name, assigned.owner, assigned.hostedZoneId], [
      "ops.test",
      "steve",
      "ZOPS",
    ]);
    assertEquals(assigned.nameservers, ["ns-1.example"]);
    const other = await db.assignDomain("ann", "ops.test", zone);
    assert("reason" in other && /another account/.test(other.reason), JSON.stringify(other));
    const again = await db.assignDomain("steve", "ops.test", { ...zone, hostedZoneId: "ZNEW" });
    assert("reason" in again && /already has a hosted zone/.test(again.reason));
    // A claim whose zone was refused gets the zone assigned to it.
    await db.claimDomain("ann", "ann.test");
    const filled = await db.assignDomain("ann", "ann.test", { ...zone, hostedZoneId: "ZANN" });
    assert(!("reason" in filled) && filled.hostedZoneId === "ZANN");
    assertEquals((await db.listAllDomains()).map((d) => [d.name, d.owner]), [
      ["ann.test", "ann"],
      ["ops.test", "steve"],
    ]);
    assertEquals((await db.releaseDomain("OPS.test"))?.hostedZoneId, "ZOPS");
    assertEquals(await db.getDomain("ops.test"), null);
    assertEquals(await db.releaseDomain("ops.test"), null);
  });
});

Deno.test("jobs: start counts attempts, finish records status, logs keep order and ms", async () => {
  await withDb(async (db) => {
    const uuid = crypto.randomUUID();
    const queuedAt = new Date("2026-11-25T10:00:00.123Z");
    await db.startJobs("steve", [{ uuid, commit: "c".repeat(40), queuedAt }]);
    const first = (await db.getJob(uuid))!;
    assertEquals(first.status, "running");
    assertEquals(first.attempts, 1);
    assertEquals(first.queuedAt?.toISOString(), queuedAt.toISOString());
    await db.requeueJob({ uuid, user: "steve", error: "Route 53 throttled" });
    assertEquals((await db.getJob(uuid))?.status, "queued");
    await db.startJobs("steve", [{ uuid }]);
    const second = (await db.getJob(uuid))!;
    assertEquals(second.attempts, 2);
    assertEquals(second.commit, "c".repeat(40), "a retry without a commit keeps the known one");

    const ts = new Date("2026-11-25T10:00:01.456Z");
    await db.appendLog({ uuid, user: "steve" }, [
      { level: "info", zone: "shop.test", message: "shop.test: +3 ~1 -2", ts },
      { level: "error", zone: "bad.test", message: "zones/bad.test:4: unknown type FOO", ts },
      { level: "warn", message: "zones/old.test was deleted; its records stay in Route 53", ts },
    ]);
    await db.finishJob({ uuid, user: "steve", status: "succeeded" });
    const view = await db.getJobWithLogs(uuid);
    assertEquals(view, {
      uuid,
      user: "steve",
      status: "succeeded",
      commit: "c".repeat(40),
      log: [
        { ts: ts.toISOString(), level: "info", zone: "shop.test", message: "shop.test: +3 ~1 -2" },
        {
          ts: ts.toISOString(),
          level: "error",
          zone: "bad.test",
          message: "zones/bad.test:4: unknown type FOO",
        },
        {
          ts: ts.toISOString(),
          level: "warn",
          zone: null,
          message: "zones/old.test was deleted; its records stay in Route 53",
        },
      ],
    });
    assertEquals(await db.getJobWithLogs(crypto.randomUUID()), null);
  });
});

Deno.test("jobs: a covered push is recorded final without starting, naming its sync", async () => {
  await withDb(async (db) => {
    const sync = crypto.randomUUID();
    const covered = crypto.randomUUID();
    await db.startJobs("steve", [{ uuid: sync }]);
    await db.finishJob({ uuid: sync, user: "steve", status: "succeeded", commit: "d".repeat(40) });
    await db.finishJob({
      uuid: covered,
      user: "steve",
      status: "succeeded",
      commit: "d".repeat(40),
      coveredBy: sync,
    });
    const job = await db.getJob(covered);
    assertEquals(job?.status, "succeeded");
    assertEquals(job?.coveredBy, sync);
    assertEquals(job?.attempts, 0);
    assert(job?.finishedAt instanceof Date);
  });
});

Deno.test("finishJob() writes the final status with its log lines, or neither when a write fails", async () => {
  await withDb(async (db) => {
    const uuid = crypto.randomUUID();
    await db.startJobs("steve", [{ uuid }]);
    assertEquals((await db.getJobWithLogs(uuid))?.log, []);
    const ts = new Date("2026-11-25T10:00:02.000Z");
    const line = { level: "info" as const, zone: "shop.test", message: "shop.test: +1 ~0 -0", ts };
    await db.finishJob({
      uuid,
      user: "steve",
      status: "succeeded",
      commit: "e".repeat(40),
      log: [line],
    });
    assertEquals(await db.getJobWithLogs(uuid), {
      uuid,
      user: "steve",
      status: "succeeded",
      commit: "e".repeat(40),
      log: [{ ...line, ts: ts.toISOString() }],
    });

    // A user name longer than its column fails the row's insert, after the lines'.
    const broken = crypto.randomUUID();
    await assertRejects(
      () =>
        db.finishJob({
          uuid: broken,
          user: "s".repeat(65),
          status: "failed",
          log: [{ level: "error", message: "never stored" }],
        }),
      Error,
      "too long",
    );
    const [left] = await db.pool.query("SELECT message FROM job_logs WHERE job_uuid = ?", [broken]);
    assertEquals(left, []);
  });
});

Deno.test("jobs: counts, running jobs and recent failures for `status`", async () => {
  await withDb(async (db) => {
    const ids = Array.from({ length: 5 }, () => crypto.randomUUID());
    for (const [i, uuid] of ids.entries()) {
      await db.startJobs(i === 2 ? "ann" : "steve", [{ uuid }]);
    }
    await db.finishJob({ uuid: ids[0] ?? "", user: "steve", status: "succeeded" });
    await db.finishJob({ uuid: ids[1] ?? "", user: "steve", status: "failed", error: "first" });
    await new Promise((r) => setTimeout(r, 5));
    await db.finishJob({ uuid: ids[2] ?? "", user: "ann", status: "failed", error: "second" });
    await db.requeueJob({ uuid: ids[3] ?? "", user: "steve", error: "later" });
    assertEquals(await db.jobCounts(), { queued: 1, running: 1, succeeded: 1, failed: 2 });
    assertEquals((await db.runningJobs()).map((j) => j.uuid), [ids[4]]);
    const failures = await db.recentFailures(10);
    assertEquals(failures.map((f) => [f.user, f.error]), [["ann", "second"], ["steve", "first"]]);
    assertEquals((await db.recentFailures(1)).length, 1);
  });
});

Deno.test("appendLog() stores more lines than one statement batch, in order", async () => {
  await withDb(async (db) => {
    const uuid = crypto.randomUUID();
    await db.startJobs("steve", [{ uuid }]);
    const lines = Array.from({ length: 450 }, (_, i) => ({
      level: "info" as const,
      message: `line ${i}`,
    }));
    await db.appendLog({ uuid, user: "steve" }, lines);
    const view = await db.getJobWithLogs(uuid);
    assertEquals(view?.log.map((l) => l.message), lines.map((l) => l.message));
  });
});

Deno.test("SQL-looking input is stored as data", async () => {
  await withDb(async (db) => {
    const uuid = crypto.randomUUID();
    await db.startJobs("steve", [{ uuid }]);
    const evil = "x'); DROP TABLE users; -- \\ \" `";
    await db.appendLog({ uuid, user: "steve" }, [{ level: "error", zone: evil, message: evil }]);
    assertEquals((await db.getJobWithLogs(uuid))?.log[0]?.message, evil);
    assertEquals(await db.getUser(evil), null);
    assertEquals(await db.listUsers(), []);
  });
});

Deno.test("parseDatabaseUrl() reads the parts and rejects unsafe database names", () => {
  assertEquals(parseDatabaseUrl("mysql://dns:p%40ss@db.internal:3307/dnsapi"), {
    host: "db.internal",
    port: 3307,
    user: "dns",
    password: "p@ss",
    database: "dnsapi",
  });
  for (const bad of ["mysql://u@h/db`x", "mysql://u@h/", "http://u@h/db", "not a url"]) {
    let threw = false;
    try {
      parseDatabaseUrl(bad);
    } catch (e) {
      threw = e instanceof TypeError;
    }
    assert(threw, bad);
  }
});

Deno.test("openDb() fails fast naming host and database, never the password", async () => {
  const name = `dnsapi_test_missing_${crypto.randomUUID().slice(0, 8)}`;
  const err = await assertRejects(
    () => openDb(`mysql://nosuchuser:s3cretpw@127.0.0.1:3306/${name}`, { connectTimeoutMs: 1000 }),
    Error,
  );
  assert(err.message.includes("127.0.0.1:3306") && err.message.includes(name), err.message);
  assert(!err.message.includes("s3cretpw"), err.message);
  // Nothing listens on port 1: a refused connection is reported the same way.
  const refused = await assertRejects(
    () => openDb(`mysql://root:s3cretpw@127.0.0.1:1/${name}`, { connectTimeoutMs: 1000 }),
    Error,
  );
  assert(refused.message.includes("127.0.0.1:1 "), refused.message);
  assert(!refused.message.includes("s3cretpw"), refused.message);
});

Deno.test("job writes check the row's user: another user's finished job keeps its status and log", async () => {
  await withDb(async (db) => {
    const uuid = crypto.randomUUID();
    await db.startJobs("alice", [{ uuid }]);
    await db.finishJob({
      uuid,
      user: "alice",
      status: "succeeded",
      log: [{ level: "info", message: "alice.test: +1" }],
    });
    const before = await db.getJobWithLogs(uuid);
    const writes: [string, () => Promise<unknown>][] = [
      ["startJobs", () => db.startJobs("bob", [{ uuid }])],
      ["requeueJob", () => db.requeueJob({ uuid, user: "bob", error: "x" })],
      ["appendLog", () => db.appendLog({ uuid, user: "bob" }, [{ level: "error", message: "x" }])],
      [
        "finishJob",
        () =>
          db.finishJob({
            uuid,
            user: "bob",
            status: "failed",
            error: "x",
            log: [{ level: "error", message: "bob's line" }],
          }),
      ],
    ];
    for (const [name, write] of writes) {
      const error = await assertRejects(write, UnrecoverableError, "belongs to another user");
      assert.ok(!error.message.includes("alice"), `${name} names no other user: ${error.message}`);
    }
    assertEquals(await db.getJobWithLogs(uuid), before);
    assertEquals((await db.getJob(uuid))?.attempts, 1);
  });
});

Deno.test("startJobs() starts every job of a sync at once, and none when one is another user's", async () => {
  await withDb(async (db) => {
    const [a, b, foreign] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await db.startJobs("steve", [{ uuid: a, commit: "a".repeat(40) }, { uuid: b }]);
    assertEquals((await db.getJob(a))?.status, "running");
    assertEquals((await db.getJob(a))?.commit, "a".repeat(40));
    assertEquals((await db.getJob(b))?.attempts, 1);
    await db.startJobs("alice", [{ uuid: foreign }]);
    await assertRejects(
      () => db.startJobs("steve", [{ uuid: a }, { uuid: foreign }]),
      UnrecoverableError,
      "belongs to another user",
    );
    assertEquals((await db.getJob(a))?.attempts, 1, "the whole call changed nothing");
    assertEquals((await db.getJob(foreign))?.user, "alice");
    await db.startJobs("steve", []);
  });
});

Deno.test("appendLog() refuses a job that has no row: lines never wait for a future owner", async () => {
  await withDb(async (db) => {
    const uuid = crypto.randomUUID();
    await assertRejects(
      () => db.appendLog({ uuid, user: "steve" }, [{ level: "info", message: "x" }]),
      UnrecoverableError,
      "no such job",
    );
    await db.finishJob({ uuid, user: "steve", status: "succeeded" });
    assertEquals((await db.getJobWithLogs(uuid))?.log, []);
  });
});

Deno.test("job log lines, zones and errors are stored with their control characters escaped", async () => {
  await withDb(async (db) => {
    await db.addUser("steve");
    const uuid = crypto.randomUUID();
    await db.startJobs("steve", [{ uuid }]);
    await db.requeueJob({ uuid, user: "steve", error: "retry\r\x1b[2J" });
    assertEquals((await db.getJob(uuid))?.error, "retry\\r\\x1b[2J");
    await db.startJobs("steve", [{ uuid }]);
    const ts = new Date("2026-11-25T10:00:01.456Z");
    await db.appendLog({ uuid, user: "steve" }, [
      { level: "error", zone: "a\nb.test", message: "zones/a\nremote: dns-api: forged", ts },
    ]);
    await db.finishJob({ uuid, user: "steve", status: "failed", error: "bad\0\x9b\u202e" });
    assertEquals((await db.getJobWithLogs(uuid))?.log, [
      {
        ts: ts.toISOString(),
        level: "error",
        zone: "a\\nb.test",
        message: "zones/a\\nremote: dns-api: forged",
      },
    ]);
    assertEquals((await db.getJob(uuid))?.error, "bad\\0\\u009b\\u202e");
  });
});

Deno.test("overdueDomains() lists synced zones of active users due a full reconcile, most overdue first", async () => {
  await withDb(async (db) => {
    await db.addUser("bob");
    await db.addUser("eve");
    const commit = { lastSyncedCommit: "a".repeat(40), hostedZoneId: "Z1" };
    for (
      const [user, name] of [["bob", "never.test"], ["bob", "old.test"], ["bob", "fresh.test"]]
    ) {
      await db.claimDomain(user!, name!);
      await db.updateDomainAfterSync(name!, commit);
    }
    await db.claimDomain("bob", "unsynced.test");
    await db.claimDomain("eve", "banned.test");
    await db.updateDomainAfterSync("banned.test", commit);
    await db.banUser("eve");
    await db.pool.query(
      "UPDATE domains SET last_full_sync_at = ? WHERE name = ?",
      [new Date("2026-01-01T00:00:00Z"), "old.test"],
    );
    await db.pool.query(
      "UPDATE domains SET last_full_sync_at = ? WHERE name = ?",
      [new Date("2026-06-01T00:00:00Z"), "fresh.test"],
    );
    const before = new Date("2026-03-01T00:00:00Z");
    assertEquals((await db.overdueDomains(before, 10)).map((d) => d.name), [
      "never.test",
      "old.test",
    ]);
    assertEquals((await db.overdueDomains(before, 1)).map((d) => d.name), ["never.test"]);
  });
});
