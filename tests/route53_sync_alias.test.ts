/**
 * Alias sets synced against the local Route 53 server: converge and stay converged,
 * hand-made aliases survive the first sync of a file without alias lines, export
 * round-trips, and a set colliding with a routing-policy group is skipped while the
 * rest of the zone syncs (incremental plans included).
 */
import assert from "node:assert/strict";
import { ChangeResourceRecordSetsCommand } from "@aws-sdk/client-route-53";
import { formatPlan, listRecordSets, syncZone } from "../lib/route53.ts";
import { parseZone, zoneExport } from "../lib/zones.ts";
import { assertConvergesWithAliases, newZone, parse, withSyncEnv } from "./route53_sync_env.ts";

const ZONE = "shop.test.";
const FILE = `$TTL 300
@ AWS ALIAS A dualstack.my-lb-1234.us-east-1.elb.amazonaws.com. Z35SXDOTRQ7X7K false
api A 192.0.2.1
www AWS ALIAS A api $self false
`;

Deno.test("syncZone() writes alias sets and a second sync changes nothing", () =>
  withSyncEnv({}, async ({ api }) => {
    const zoneId = await newZone(api, "shop.test");
    const desired = parse(FILE, "shop.test");
    const first = await assertConvergesWithAliases(api, ZONE, zoneId, desired);
    assert.match(
      formatPlan(first.plan),
      /^\+ www\.shop\.test\. A ALIAS api\.shop\.test\. \(self\)$/m,
    );
    const second = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired,
      previous: desired,
      jobId: "j2",
    });
    assert.deepEqual(second.plan.changes, []);
  }));

Deno.test("hand-made aliases survive the first sync of a file without alias lines; export then writes them", () =>
  withSyncEnv({}, async ({ api, client }) => {
    const zoneId = await newZone(api, "shop.test");
    await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: parse("$TTL 300\napi A 192.0.2.1\n", "shop.test"),
      previous: null,
      jobId: "j1",
    });
    await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [{
            Action: "CREATE",
            ResourceRecordSet: {
              Name: "cdn.shop.test.",
              Type: "A",
              AliasTarget: {
                HostedZoneId: zoneId,
                DNSName: "api.shop.test.",
                EvaluateTargetHealth: true,
              },
            },
          }],
        },
      }),
    );
    const plainFile = parse("$TTL 300\napi A 192.0.2.2\n", "shop.test");
    const result = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: plainFile,
      previous: null,
      jobId: "j2",
    });
    assert.deepEqual(result.plan.changes.map((c) => c.kind), ["update"]);
    const live = await listRecordSets(api, zoneId, ZONE);
    assert.ok(live.unmanaged.some((u) => u.name === "cdn.shop.test." && u.reason === "alias"));

    const exported = zoneExport("shop.test", zoneId, live, new Date(0));
    assert.match(exported, /^cdn\.shop\.test\. AWS ALIAS A api\.shop\.test\. \$self true$/m);
    const fromExport = parseZone(exported, { zone: "shop.test" });
    assert.deepEqual(fromExport.errors, []);
    const again = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: fromExport.rrsets,
      previous: null,
      jobId: "j3",
    });
    assert.deepEqual(again.plan.changes, [], "export -> sync changes nothing");
  }));

Deno.test("a set colliding with a weighted group is skipped with a warning and the rest of the zone syncs", () =>
  withSyncEnv({}, async ({ api, client }) => {
    const zoneId = await newZone(api, "shop.test");
    const v1 = parse("$TTL 300\napi A 192.0.2.1\n", "shop.test");
    await syncZone(api, { zone: ZONE, zoneId, desired: v1, previous: null, jobId: "j1" });
    await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [{
            Action: "CREATE",
            ResourceRecordSet: {
              Name: "w.shop.test.",
              Type: "A",
              SetIdentifier: "blue",
              Weight: 10,
              TTL: 60,
              ResourceRecords: [{ Value: "192.0.2.50" }],
            },
          }],
        },
      }),
    );
    const v2 = parse("$TTL 300\napi A 192.0.2.1\nw A 192.0.2.9\nx A 192.0.2.10\n", "shop.test");
    // incremental: the plan cannot see the weighted group; Route 53's refusal leads to a reconcile
    const result = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: v2,
      previous: v1,
      jobId: "j2",
    });
    assert.equal(result.fellBack, true);
    assert.deepEqual(result.plan.skipped.map((s) => [s.set.name, s.reason]), [[
      "w.shop.test.",
      'Route 53 holds a weighted routing set (set identifier "blue") with this name and type; remove it there first to manage it from the zone file',
    ]]);
    const live = await listRecordSets(api, zoneId, ZONE);
    assert.deepEqual(live.sets.map((s) => `${s.name} ${s.values}`).sort(), [
      "api.shop.test. 192.0.2.1",
      "x.shop.test. 192.0.2.10",
    ]);
    assert.match(
      zoneExport("shop.test", zoneId, live, new Date(0)),
      /^; +w\.shop\.test\. A \(routing-policy set-identifier=blue\)$/m,
    );
  }));
