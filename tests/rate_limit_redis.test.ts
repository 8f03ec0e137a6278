import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { redisRateLimiter } from "../lib/route53.ts";

const REDIS_URL = "redis://127.0.0.1:6379";

/** Runs `body` with fresh clients and a key prefix of its own, removing both afterwards. */
async function withRedis(
  body: (clients: Redis[], prefix: string) => Promise<void>,
  count = 1,
): Promise<void> {
  const prefix = `test:${crypto.randomUUID()}:`;
  const clients = Array.from({ length: count }, () => new Redis(REDIS_URL));
  try {
    await body(clients, prefix);
  } finally {
    const first = clients[0];
    if (first !== undefined) {
      const keys = await first.keys(`${prefix}*`);
      if (keys.length > 0) await first.del(...keys);
    }
    for (const client of clients) client.disconnect();
  }
}

Deno.test("redisRateLimiter() lets a full burst through and then asks to wait", async () => {
  await withRedis(async ([redis], prefix) => {
    assert.ok(redis);
    const limiter = redisRateLimiter(redis, prefix, { ratePerSecond: 0.01, burst: 5 });
    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(await limiter.tryTake());
    assert.deepEqual(waits.slice(0, 5), [0, 0, 0, 0, 0]);
    const last = waits[5] ?? 0;
    assert.ok(last > 0 && last <= 100_000, `wait ${last}`);
  });
});

Deno.test("redisRateLimiter() shares one bucket between clients with the same prefix", async () => {
  await withRedis(async ([one, two], prefix) => {
    assert.ok(one && two);
    const options = { ratePerSecond: 0.01, burst: 4 };
    const a = redisRateLimiter(one, prefix, options);
    const b = redisRateLimiter(two, prefix, options);
    assert.deepEqual([await a.tryTake(), await b.tryTake(), await a.tryTake()], [0, 0, 0]);
    assert.equal(await b.tryTake(), 0);
    assert.ok(await a.tryTake() > 0);
    assert.ok(await b.tryTake() > 0);
    const other = redisRateLimiter(one, `${prefix}other:`, options);
    assert.equal(await other.tryTake(), 0, "another prefix has its own bucket");
  }, 2);
});

Deno.test("redisRateLimiter() take() sleeps for the time Redis names and then succeeds", async () => {
  await withRedis(async ([redis], prefix) => {
    assert.ok(redis);
    const slept: number[] = [];
    const sleep = (ms: number) => {
      slept.push(ms);
      return new Promise<void>((resolve) => setTimeout(resolve, ms));
    };
    const limiter = redisRateLimiter(redis, prefix, { ratePerSecond: 1, burst: 1 }, sleep);
    await limiter.take();
    assert.deepEqual(slept, []);
    await limiter.take();
    assert.ok(slept.length >= 1);
    assert.ok(slept.every((ms) => ms > 0 && ms <= 1000), String(slept));
  });
});

Deno.test("redisRateLimiter() leaves only an expiring key behind", async () => {
  await withRedis(async ([redis], prefix) => {
    assert.ok(redis);
    const limiter = redisRateLimiter(redis, prefix, { ratePerSecond: 10, burst: 50 });
    await limiter.take();
    const keys = await redis.keys(`${prefix}*`);
    assert.deepEqual(keys, [`${prefix}route53:bucket`]);
    const ttl = await redis.pttl(`${prefix}route53:bucket`);
    assert.ok(ttl > 0 && ttl <= 6000, `pttl ${ttl}`);
  });
});

Deno.test("redisRateLimiter() refuses a rate or burst that is not positive", () => {
  const redis = { eval: () => Promise.resolve(0) };
  assert.throws(() => redisRateLimiter(redis, "p:", { ratePerSecond: 0 }), RangeError);
  assert.throws(() => redisRateLimiter(redis, "p:", { burst: 0 }), RangeError);
});
