import assert from "node:assert/strict";
import { LeaseLostError } from "../lib/errors.ts";
import { listRecordSets, syncZone } from "../lib/route53.ts";
import type { RecordSet } from "../lib/zones.ts";
import { newZone, withSyncEnv } from "./route53_sync_env.ts";

const ZONE = "lease.test.";

/** 1,500 one-value sets: two requests, since one request holds at most 1,000 records. */
function manySets(): RecordSet[] {
  return Array.from({ length: 1500 }, (_, i) => ({
    name: `h${i}.${ZONE}`,
    type: "A" as const,
    ttl: 300,
    values: [`192.0.2.${i % 250}`],
  }));
}

Deno.test("syncZone() checks the lease before every change batch and stops at the first it lost", async () => {
  await withSyncEnv({}, async ({ api }) => {
    const zoneId = await newZone(api, ZONE);
    const answers = [true, false];
    const asked: boolean[] = [];
    const stillOwned = () => {
      const held = answers[asked.length] ?? false;
      asked.push(held);
      return held;
    };
    await assert.rejects(
      syncZone(api, {
        zone: ZONE,
        zoneId,
        desired: manySets(),
        previous: null,
        jobId: "job-lease",
        force: true,
        stillOwned,
      }),
      (error: unknown) =>
        error instanceof LeaseLostError && /before change batch 2 of 2/.test(error.message),
    );
    assert.deepEqual(asked, [true, false], "asked once per batch, stopped at the second");
    const live = await listRecordSets(api, zoneId, ZONE);
    const managed = live.sets.filter((s) => s.type === "A");
    assert.equal(managed.length, 1000, "only the first batch reached Route 53");
  });
});

Deno.test("syncZone() applies every batch while the lease is held", async () => {
  await withSyncEnv({}, async ({ api }) => {
    const zoneId = await newZone(api, ZONE);
    let asked = 0;
    const result = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: manySets(),
      previous: null,
      jobId: "job-lease",
      force: true,
      stillOwned: () => (asked++, true),
    });
    assert.equal(result.changeIds.length, 2);
    assert.equal(asked, 2);
  });
});
