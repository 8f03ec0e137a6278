/**
 * Alias sets in the plan and in batches: diffed like other sets, the upgrade rule,
 * plan lines, `$self` ordering inside a request, plain <-> alias as DELETE+CREATE.
 */
import assert from "node:assert/strict";
import {
  batchChanges,
  diffZone,
  type ExistingZone,
  formatChange,
  formatPlan,
  planIncremental,
} from "../lib/route53.ts";
import { aliasSet, type RecordSet } from "../lib/zones.ts";

const ZONE = "shop.test.";
const LB = {
  target: "dualstack.my-lb-1234.us-east-1.elb.amazonaws.com.",
  zoneId: "Z35SXDOTRQ7X7K",
  evaluateTargetHealth: false,
};
const self = (target: string) => ({ target, zoneId: "$self", evaluateTargetHealth: false });
const a = (name: string, ip: string): RecordSet => ({ name, type: "A", ttl: 300, values: [ip] });
const none: ExistingZone = { sets: [], unmanaged: [] };

function handMade(name: string, alias: ReturnType<typeof self>): ExistingZone["unmanaged"][0] {
  return { name, type: "A", reason: "alias", alias };
}

Deno.test("diffZone() creates alias sets and prints them with ALIAS and (self)", () => {
  const desired = [aliasSet(ZONE, "A", LB), aliasSet("www.shop.test.", "A", self(ZONE))];
  const plan = diffZone(ZONE, desired, none);
  assert.deepEqual(plan.changes.map(formatChange), [
    "+ shop.test. A ALIAS dualstack.my-lb-1234.us-east-1.elb.amazonaws.com. Z35SXDOTRQ7X7K",
    "+ www.shop.test. A ALIAS shop.test. (self)",
  ]);
});

Deno.test("diffZone() treats alias sets as equal when target, zone id and flag are equal", () => {
  const live: ExistingZone = { sets: [], unmanaged: [handMade("www.shop.test.", self(ZONE))] };
  const same = diffZone(ZONE, [aliasSet("www.shop.test.", "A", self(ZONE))], live);
  assert.deepEqual(same.changes, []);
  const flagged = diffZone(ZONE, [
    aliasSet("www.shop.test.", "A", { ...self(ZONE), evaluateTargetHealth: true }),
  ], live);
  assert.deepEqual(flagged.changes.map(formatChange), [
    "~ www.shop.test. A ALIAS shop.test. (self) -> ALIAS shop.test. (self) evaluate-target-health",
  ]);
});

Deno.test("diffZone() leaves hand-made aliases alone while the file has no alias line", () => {
  const live: ExistingZone = {
    sets: [a("api.shop.test.", "192.0.2.1")],
    unmanaged: [handMade("cdn.shop.test.", self("api.shop.test."))],
  };
  const plan = diffZone(ZONE, [a("api.shop.test.", "192.0.2.1")], live);
  assert.deepEqual(plan.changes, []);
  assert.match(formatPlan(plan), /= unmanaged cdn\.shop\.test\. A \(alias\), left untouched/);
  const colliding = diffZone(ZONE, [a("cdn.shop.test.", "192.0.2.9")], live);
  assert.deepEqual(colliding.changes.map((c) => c.kind), ["delete"]); // api left the file
  assert.match(colliding.skipped[0]?.reason ?? "", /an alias set made outside the zone file/);
});

Deno.test("diffZone() manages every alias of the zone once the file has an alias line", () => {
  const live: ExistingZone = {
    sets: [a("api.shop.test.", "192.0.2.1")],
    unmanaged: [handMade("cdn.shop.test.", self("api.shop.test."))],
  };
  const plan = diffZone(ZONE, [
    a("api.shop.test.", "192.0.2.1"),
    aliasSet("www.shop.test.", "A", self("api.shop.test.")),
  ], live);
  assert.deepEqual(plan.changes.map(formatChange), [
    "- cdn.shop.test. A ALIAS api.shop.test. (self)",
    "+ www.shop.test. A ALIAS api.shop.test. (self)",
  ]);
});

Deno.test("planIncremental() keeps the upgrade rule: removing the last alias line deletes no alias", () => {
  const previous = [
    a("api.shop.test.", "192.0.2.1"),
    aliasSet("w.shop.test.", "A", self("api.shop.test.")),
  ];
  const plan = planIncremental(ZONE, previous, [a("api.shop.test.", "192.0.2.1")]);
  assert.deepEqual(plan.changes, []);
  assert.deepEqual(plan.unmanaged.map((u) => `${u.name} ${u.reason}`), ["w.shop.test. alias"]);
});

Deno.test("diffZone() names the routing policy of a set it will not overwrite", () => {
  const live: ExistingZone = {
    sets: [],
    unmanaged: [{
      name: "w.shop.test.",
      type: "A",
      reason: "routing-policy",
      policy: "weighted",
      setIdentifier: "blue",
    }],
  };
  const plan = diffZone(
    ZONE,
    [a("w.shop.test.", "192.0.2.1"), a("x.shop.test.", "192.0.2.2")],
    live,
  );
  assert.deepEqual(plan.changes.map((c) => c.kind), ["create"]);
  assert.equal(
    plan.skipped[0]?.reason,
    'Route 53 holds a weighted routing set (set identifier "blue") with this name and type; remove it there first to manage it from the zone file',
  );
});

Deno.test("batchChanges() creates a $self target before the aliases that point at it", () => {
  // names sort the aliases (a, b) before their target (z)
  const plan = diffZone(ZONE, [
    aliasSet("a.shop.test.", "A", self("b.shop.test.")),
    aliasSet("b.shop.test.", "A", self("z.shop.test.")),
    a("m.shop.test.", "192.0.2.2"),
    a("z.shop.test.", "192.0.2.1"),
  ], none);
  const batches = batchChanges(plan.changes, {
    jobId: "j",
    limits: { maxRecords: 3, maxChars: 1000 },
  });
  // the alias chain travels in one request; the unrelated set goes elsewhere
  assert.deepEqual(batches.map((b) => b.changes.map((c) => `${c.action} ${c.set.name}`)), [
    ["CREATE z.shop.test.", "CREATE b.shop.test.", "CREATE a.shop.test."],
    ["CREATE m.shop.test."],
  ]);
});

Deno.test("batchChanges() deletes a $self target after the aliases that point at it", () => {
  const live: ExistingZone = {
    sets: [a("a.shop.test.", "192.0.2.1"), aliasSet("b.shop.test.", "A", self("a.shop.test."))],
    unmanaged: [],
  };
  const plan = diffZone(ZONE, [aliasSet("q.shop.test.", "A", LB)], live);
  const [batch] = batchChanges(plan.changes, { jobId: "j" });
  assert.deepEqual(batch?.changes.map((c) => `${c.action} ${c.set.name}`), [
    "DELETE b.shop.test.",
    "DELETE a.shop.test.",
    "CREATE q.shop.test.",
  ]);
});

Deno.test("batchChanges() turns plain <-> alias into DELETE and CREATE in one request", () => {
  const live: ExistingZone = { sets: [a("shop.test.", "192.0.2.1")], unmanaged: [] };
  const plan = diffZone(ZONE, [aliasSet(ZONE, "A", LB)], live);
  assert.deepEqual(plan.changes.map((c) => c.kind), ["update"]);
  const batches = batchChanges(plan.changes, { jobId: "j", replace: "upsert" });
  assert.equal(batches.length, 1);
  assert.deepEqual(
    batches[0]?.changes.map((c) => `${c.action} ${c.set.alias ? "alias" : "plain"}`),
    [
      "DELETE plain",
      "CREATE alias",
    ],
  );
  assert.equal(batches[0]?.records, 2, "an alias counts one ResourceRecord");
});
