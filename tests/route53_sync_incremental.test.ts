import assert from "node:assert/strict";
import { ChangeResourceRecordSetsCommand, type Route53Client } from "@aws-sdk/client-route-53";
import { assertConverges, newZone, parse, statsDelta, withSyncEnv } from "./route53_sync_env.ts";
import type { RecordSet } from "../lib/zones.ts";
import { planZone, syncZone } from "../lib/route53.ts";

const ZONE = "shop.test.";

function fileWith(lines: string[]): RecordSet[] {
  return parse(["$TTL 300", ...lines].join("\n"), ZONE);
}

const V1 = [
  "www A 192.0.2.1",
  "api A 192.0.2.2",
  "mail MX 10 mx.shop.test.",
  'txt TXT "hello"',
  ...Array.from({ length: 40 }, (_, i) => `h${i} A 192.0.2.${10 + i}`),
];

/** Changes a set behind the engine's back, as a console user would. */
async function outOfBand(
  client: Route53Client,
  zoneId: string,
  action: "CREATE" | "UPSERT",
  set: RecordSet,
): Promise<void> {
  await client.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [{
          Action: action,
          ResourceRecordSet: {
            Name: set.name,
            Type: set.type,
            TTL: set.ttl,
            ResourceRecords: set.values.map((Value) => ({ Value })),
          },
        }],
      },
    }),
  );
}

Deno.test("syncZone() applies a one-record push with one change call and no listing", async () => {
  await withSyncEnv({}, async ({ api, server }) => {
    const zoneId = await newZone(api, ZONE);
    const v1 = fileWith(V1);
    await assertConverges(api, ZONE, zoneId, v1);
    const v2 = fileWith(V1.map((line) => line === "www A 192.0.2.1" ? "www A 192.0.2.99" : line));
    const before = server.stats();
    const result = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: v2,
      previous: v1,
      jobId: "j2",
    });
    assert.equal(result.mode, "incremental");
    assert.equal(result.fellBack, false);
    assert.deepEqual(result.calls, { ChangeResourceRecordSets: 1 });
    assert.deepEqual(statsDelta(before, server.stats()), { ChangeResourceRecordSets: 1 });
    const full = await planZone(api, { zone: ZONE, zoneId, desired: v2, previous: null });
    assert.deepEqual(full.plan.changes, []);
  });
});

Deno.test("syncZone() of an unchanged file makes no Route 53 call at all", async () => {
  await withSyncEnv({}, async ({ api, server }) => {
    const zoneId = await newZone(api, ZONE);
    const v1 = fileWith(V1);
    await assertConverges(api, ZONE, zoneId, v1);
    const before = server.stats();
    const result = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: fileWith(V1),
      previous: v1,
      jobId: "j2",
    });
    assert.deepEqual(result.calls, {});
    assert.deepEqual(result.batches, []);
    assert.deepEqual(statsDelta(before, server.stats()), {});
  });
});

Deno.test("syncZone() handles creates, deletes and a type change incrementally", async () => {
  await withSyncEnv({}, async ({ api, server }) => {
    const zoneId = await newZone(api, ZONE);
    const v1 = fileWith(V1);
    await assertConverges(api, ZONE, zoneId, v1);
    const v2 = fileWith([
      ...V1.filter((line) => !line.startsWith("api ") && !line.startsWith("h3 ")),
      "api CNAME www.shop.test.",
      "new AAAA 2001:db8::1",
    ]);
    const before = server.stats();
    const result = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: v2,
      previous: v1,
      jobId: "j2",
    });
    assert.equal(result.fellBack, false);
    assert.deepEqual(statsDelta(before, server.stats()), { ChangeResourceRecordSets: 1 });
    const full = await planZone(api, { zone: ZONE, zoneId, desired: v2, previous: null });
    assert.deepEqual(full.plan.changes, []);
  });
});

Deno.test("syncZone() falls back to a full reconcile when a CREATE meets a set made outside", async () => {
  await withSyncEnv({}, async ({ api, client, server }) => {
    const zoneId = await newZone(api, ZONE);
    const v1 = fileWith(V1);
    await assertConverges(api, ZONE, zoneId, v1);
    const stray: RecordSet = {
      name: "new.shop.test.",
      type: "A",
      ttl: 60,
      values: ["192.0.2.200"],
    };
    await outOfBand(client, zoneId, "CREATE", stray);
    const v2 = fileWith([...V1, "new A 192.0.2.100"]);
    const before = server.stats();
    const result = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: v2,
      previous: v1,
      jobId: "j2",
    });
    assert.equal(result.fellBack, true);
    assert.equal(result.mode, "full");
    assert.match(result.driftMessage ?? "", /already exists/);
    assert.deepEqual(result.plan.changes.map((c) => c.kind), ["update"]);
    assert.deepEqual(statsDelta(before, server.stats()), {
      ChangeResourceRecordSets: 2,
      ListResourceRecordSets: 1,
    });
    await assertConverges(api, ZONE, zoneId, v2, "j3");
  });
});

Deno.test("syncZone() falls back when a DELETE finds values changed outside, and repairs them", async () => {
  await withSyncEnv({}, async ({ api, client }) => {
    const zoneId = await newZone(api, ZONE);
    const v1 = fileWith(V1);
    await assertConverges(api, ZONE, zoneId, v1);
    await outOfBand(client, zoneId, "UPSERT", {
      name: "txt.shop.test.",
      type: "TXT",
      ttl: 300,
      values: ['"edited in the console"'],
    });
    await outOfBand(client, zoneId, "UPSERT", {
      name: "h7.shop.test.",
      type: "A",
      ttl: 300,
      values: ["198.51.100.7"],
    });
    const v2 = fileWith(V1.filter((line) => !line.startsWith("txt ")));
    const result = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: v2,
      previous: v1,
      jobId: "j2",
    });
    assert.equal(result.fellBack, true);
    assert.match(result.driftMessage ?? "", /do not match/);
    assert.deepEqual(
      result.plan.changes.map((c) =>
        `${c.kind} ${c.kind === "delete" ? c.before.name : c.after.name}`
      ),
      ["update h7.shop.test.", "delete txt.shop.test."],
    );
    const full = await planZone(api, { zone: ZONE, zoneId, desired: v2, previous: null });
    assert.deepEqual(full.plan.changes, []);
  });
});

Deno.test("syncZone() with full set lists Route 53 even when the previous file is known", async () => {
  await withSyncEnv({}, async ({ api, client }) => {
    const zoneId = await newZone(api, ZONE);
    const v1 = fileWith(V1);
    await assertConverges(api, ZONE, zoneId, v1);
    await outOfBand(client, zoneId, "CREATE", {
      name: "stray.shop.test.",
      type: "A",
      ttl: 300,
      values: ["192.0.2.250"],
    });
    const quiet = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: v1,
      previous: v1,
      jobId: "j",
    });
    assert.deepEqual(quiet.calls, {}, "an incremental sync cannot see drift it does not touch");
    const repaired = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: v1,
      previous: v1,
      full: true,
      jobId: "j",
    });
    assert.equal(repaired.mode, "full");
    assert.deepEqual(repaired.plan.changes.map((c) => c.kind), ["delete"]);
    await assertConverges(api, ZONE, zoneId, v1, "j3");
  });
});
