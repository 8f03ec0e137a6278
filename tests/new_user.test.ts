import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Redis } from "ioredis";
import { newUserIntake, type NewUserIntakeOptions, parseNewUserEvent } from "../lib/worker.ts";

Deno.test("parseNewUserEvent() reads the JSON payload and a bare name", () => {
  assert.deepEqual(parseNewUserEvent('{"user":"steve"}'), { user: "steve" });
  assert.deepEqual(parseNewUserEvent("steve\n"), { user: "steve" });
});

Deno.test("parseNewUserEvent() refuses bad JSON, a missing user and a bad name", () => {
  assert.deepEqual(parseNewUserEvent("{nope"), { reason: "not valid JSON" });
  assert.deepEqual(parseNewUserEvent('{"name":"x"}'), { reason: 'no "user" string' });
  assert.match(
    (parseNewUserEvent('{"user":"../etc"}') as { reason: string }).reason,
    /not a valid user name/,
  );
  assert.equal(
    (parseNewUserEvent('{"user":"a\\u001b[2J"}') as { reason: string }).reason,
    '"a\\x1b[2J" is not a valid user name',
  );
});

/** A fresh prefix on the real Redis, removed afterwards. */
async function withRedis(fn: (redis: Redis, prefix: string) => Promise<void>): Promise<void> {
  const redis = new Redis("redis://127.0.0.1:6379", { lazyConnect: true });
  const prefix = `test:${crypto.randomUUID()}:`;
  try {
    await redis.connect();
    await fn(redis, prefix);
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
}

/** The `invalid` list's entries, newest first. */
async function invalid(redis: Redis, prefix: string): Promise<Record<string, string>[]> {
  return (await redis.lrange(`${prefix}invalid`, 0, -1)).map((e) => JSON.parse(e));
}

/** Options whose `create` records users and fails while `failing` holds them. */
function recorder(prefix: string, key: string, failing: Set<string>, clock = { ms: 0 }) {
  const created: string[] = [];
  const reports: string[] = [];
  const options: NewUserIntakeOptions = {
    key,
    prefix,
    create: (user) => {
      if (failing.has(user)) return Promise.reject(new Error("disk full"));
      created.push(user);
      return Promise.resolve();
    },
    report: (_level, message) => reports.push(message),
    maxAttempts: 3,
    backoff: { baseMs: 1000, maxMs: 1000 },
    now: () => clock.ms,
  };
  return { created, reports, options, clock };
}

for (const kind of ["list", "set"] as const) {
  const push = (redis: Redis, key: string, ...payloads: (string | Buffer)[]) =>
    kind === "list" ? redis.rpush(key, ...payloads) : redis.sadd(key, ...payloads);

  Deno.test(`newUserIntake() removes a ${kind} event once its user exists`, async () => {
    await withRedis(async (redis, prefix) => {
      const key = `${prefix}NEW:USER`;
      await push(redis, key, '{"user":"ann"}', "bob");
      const r = recorder(prefix, key, new Set());
      assert.equal(await newUserIntake(redis, r.options)(), 2);
      assert.deepEqual(r.created.sort(), ["ann", "bob"]);
      assert.equal(await redis.exists(key), 0);
      assert.deepEqual(await invalid(redis, prefix), []);
    });
  });

  Deno.test(`newUserIntake() leaves a ${kind} event whose creation failed, and creates it on the next pass`, async () => {
    await withRedis(async (redis, prefix) => {
      const key = `${prefix}NEW:USER`;
      await push(redis, key, '{"user":"dee"}');
      const failing = new Set(["dee"]);
      const r = recorder(prefix, key, failing);
      const intake = newUserIntake(redis, r.options);
      assert.equal(await intake(), 0);
      assert.deepEqual(r.reports, [
        `${key}: cannot create dee (attempt 1 of 3): disk full; the event stays and is tried again`,
      ]);
      assert.equal(await count(redis, kind, key), 1);
      // Within the backoff the event waits; after it, the creation is tried again.
      failing.clear();
      assert.equal(await intake(), 0);
      r.clock.ms = 1000;
      assert.equal(await intake(), 1);
      assert.deepEqual(r.created, ["dee"]);
      assert.equal(await redis.exists(key, `${prefix}new-user:attempts`), 0);
    });
  });

  Deno.test(`newUserIntake() sets a ${kind} event aside after its last failed attempt`, async () => {
    await withRedis(async (redis, prefix) => {
      const key = `${prefix}NEW:USER`;
      await push(redis, key, '{"user":"eve"}');
      const r = recorder(prefix, key, new Set(["eve"]));
      const intake = newUserIntake(redis, r.options);
      for (let attempt = 1; attempt <= 3; attempt++) {
        r.clock.ms = attempt * 1000;
        assert.equal(await intake(), 0);
      }
      assert.equal(await redis.exists(key, `${prefix}new-user:attempts`), 0);
      const [entry] = await invalid(redis, prefix);
      assert.equal(entry?.source, key);
      assert.equal(entry?.raw, '{"user":"eve"}');
      assert.equal(
        entry?.reason,
        "cannot create eve after 3 attempts (last: disk full); run `user add eve`",
      );
    });
  });

  Deno.test(`newUserIntake() sets an invalid ${kind} event aside with its reason, by its exact bytes`, async () => {
    await withRedis(async (redis, prefix) => {
      const key = `${prefix}NEW:USER`;
      const notUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
      await push(redis, key, "bad user!", "{nope", notUtf8, '{"user":"fay"}');
      const r = recorder(prefix, key, new Set());
      assert.equal(await newUserIntake(redis, r.options)(), 1);
      assert.deepEqual(r.created, ["fay"]);
      assert.equal(await redis.exists(key), 0);
      const reasons = (await invalid(redis, prefix)).map((e) => `${e.raw} -> ${e.reason}`).sort();
      assert.deepEqual(reasons, [
        'bad user! -> "bad user!" is not a valid user name',
        "{nope -> not valid JSON",
        "{\ufffd\ufffd} -> not valid UTF-8",
      ]);
      assert.equal(r.reports.filter((m) => m.includes("set aside")).length, 3);
    });
  });
}

/** How many events `key` holds. */
function count(redis: Redis, kind: "list" | "set", key: string): Promise<number> {
  return kind === "list" ? redis.llen(key) : redis.scard(key);
}

Deno.test("newUserIntake() reads nothing from a missing key or one of another type", async () => {
  await withRedis(async (redis, prefix) => {
    const r = recorder(prefix, `${prefix}NEW:USER`, new Set());
    assert.equal(await newUserIntake(redis, r.options)(), 0);
    await redis.set(`${prefix}NEW:USER`, "ann");
    assert.equal(await newUserIntake(redis, r.options)(), 0);
    assert.equal(await redis.get(`${prefix}NEW:USER`), "ann");
  });
});
