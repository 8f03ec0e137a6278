import assert from "node:assert/strict";
import { assertConverges, newZone, statsDelta, withSyncEnv } from "./route53_sync_env.ts";
import { Redis } from "ioredis";
import { redisRateLimiter } from "../lib/route53.ts";
import type { RecordSet } from "../lib/zones.ts";
import { route53Api } from "../lib/route53.ts";
import { syncZone } from "../lib/route53.ts";

const ZONE = "big.test.";

function hosts(count: number, last: number): RecordSet[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `h${i}.big.test.`,
    type: "A" as const,
    ttl: 300,
    values: [`10.${Math.floor(i / 250)}.${i % 250}.${last}`],
  }));
}

Deno.test("syncZone() converges on a zone of 10,000 record sets: 34 list pages, packed batches", async () => {
  await withSyncEnv({}, async ({ api, server }) => {
    const zoneId = await newZone(api, ZONE);
    // 9,998 sets plus the apex SOA and NS fill the default quota of 10,000.
    const desired = hosts(9998, 1);
    const before = server.stats();
    const created = await assertConverges(api, ZONE, zoneId, desired);
    assert.equal(created.batches.length, 10, "9,998 single-value CREATEs fill 10 requests");
    assert.equal(created.calls.ListResourceRecordSets, 1);

    const changed = hosts(9998, 2);
    const mid = server.stats();
    const result = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: changed,
      previous: null,
      jobId: "j2",
      force: true,
    });
    assert.deepEqual(result.calls, { ListResourceRecordSets: 34, ChangeResourceRecordSets: 20 });
    assert.deepEqual(statsDelta(mid, server.stats()), result.calls);
    assert.ok(statsDelta(before, mid).ListResourceRecordSets !== undefined);
    await assertConverges(api, ZONE, zoneId, changed, "j3");
  });
});

Deno.test("syncZone() still converges when the server throttles 30% of requests", async () => {
  // SDK retries off, so every Throttling reaches the adapter's own backoff loop.
  const options = { throttleRate: 0.3, seed: 42, sdkMaxAttempts: 1 };
  await withSyncEnv(options, async ({ api, server }) => {
    const zoneId = await newZone(api, ZONE);
    await assertConverges(api, ZONE, zoneId, hosts(1500, 1));
    const result = await assertConverges(api, ZONE, zoneId, hosts(1500, 3).slice(0, 1200), "j2");
    assert.equal(result.plan.changes.length, 1500);
    assert.ok((server.stats().Throttled ?? 0) > 0, "the server did throttle");
  });
});

Deno.test("syncZone() still converges when Route 53 answers 30% of batches PriorRequestNotComplete", async () => {
  // SDK retries off: every busy answer reaches the adapter's own backoff loop.
  const options = { busyRate: 0.3, seed: 11, sdkMaxAttempts: 1 };
  await withSyncEnv(options, async ({ api, server }) => {
    const zoneId = await newZone(api, ZONE);
    await assertConverges(api, ZONE, zoneId, hosts(1500, 1));
    await assertConverges(api, ZONE, zoneId, hosts(1500, 4).slice(0, 1000), "j2");
    assert.ok((server.stats().Busy ?? 0) > 0, "the server did answer busy");
  });
});

Deno.test("syncZone() takes one token from the shared Redis bucket per API call", async () => {
  const prefix = `test:${crypto.randomUUID()}:`;
  const redis = new Redis("redis://127.0.0.1:6379");
  try {
    // A refill this slow adds well under one token during the test.
    const limiter = redisRateLimiter(redis, prefix, { ratePerSecond: 0.001, burst: 1000 });
    await withSyncEnv({}, async ({ client, server }) => {
      const api = route53Api(client, { limiter });
      const zoneId = await newZone(api, ZONE);
      await assertConverges(api, ZONE, zoneId, hosts(700, 1));
      const sent = Object.entries(server.stats())
        .filter(([operation]) => !["Throttled", "Busy", "Unsupported"].includes(operation))
        .reduce((sum, [, count]) => sum + count, 0);
      const left = Number(await redis.hget(`${prefix}route53:bucket`, "tokens"));
      assert.equal(Math.round(1000 - left), sent);
    });
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
});
