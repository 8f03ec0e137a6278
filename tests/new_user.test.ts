import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { parseNewUserEvent, takeNewUsers } from "../lib/worker.ts";

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
});

Deno.test("takeNewUsers() drains a list and a set, creating each user and reporting bad payloads", async () => {
  const redis = new Redis("redis://127.0.0.1:6379", { lazyConnect: true });
  const prefix = `test:${crypto.randomUUID()}:`;
  try {
    await redis.connect();
    await redis.rpush(`${prefix}list`, '{"user":"ann"}', "bad user!", '{"user":"bob"}');
    await redis.sadd(`${prefix}set`, '{"user":"cy"}');
    const created: string[] = [];
    const reports: string[] = [];
    const create = (user: string) => {
      created.push(user);
      return Promise.resolve();
    };
    assert.equal(await takeNewUsers(redis, `${prefix}list`, create, (m) => reports.push(m)), 2);
    assert.equal(await takeNewUsers(redis, `${prefix}set`, create, (m) => reports.push(m)), 1);
    assert.deepEqual(created, ["ann", "bob", "cy"]);
    assert.equal(reports.length, 1);
    assert.match(reports[0]!, /not a valid user name/);
    assert.equal(await redis.exists(`${prefix}list`, `${prefix}set`), 0);
    assert.equal(await takeNewUsers(redis, `${prefix}none`, create, () => {}), 0);
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
});

Deno.test("takeNewUsers() reports a failed creation with the command to repeat it", async () => {
  const events = ['{"user":"dee"}'];
  const fake = {
    type: () => Promise.resolve("list"),
    lpop: () => Promise.resolve(events.shift() ?? null),
    spop: () => Promise.resolve(null),
  };
  const reports: string[] = [];
  const n = await takeNewUsers(
    fake,
    "NEW:USER",
    () => Promise.reject(new Error("disk full")),
    (m) => reports.push(m),
  );
  assert.equal(n, 0);
  assert.deepEqual(reports, ["NEW:USER: cannot create dee: disk full; run `user add dee`"]);
});
