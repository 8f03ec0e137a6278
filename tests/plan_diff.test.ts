import assert from "node:assert/strict";
import {
  countChanges,
  diffZone,
  type ExistingZone,
  formatPlan,
  formatPlanSummary,
  isEmptyPlan,
} from "../lib/route53.ts";
import type { RecordSet } from "../lib/zones.ts";

const ZONE = "shop.test.";

function a(name: string, ...values: string[]): RecordSet {
  return { name, type: "A", ttl: 300, values };
}

function zoneOf(sets: RecordSet[], unmanaged: ExistingZone["unmanaged"] = []): ExistingZone {
  return { sets, unmanaged };
}

Deno.test("diffZone() of equal desired and existing sets is an empty plan", () => {
  const sets = [a("www.shop.test.", "192.0.2.1"), a("shop.test.", "192.0.2.2")];
  const plan = diffZone(ZONE, sets, zoneOf(structuredClone(sets)));
  assert.deepEqual(isEmptyPlan(plan), true);
  assert.deepEqual(formatPlanSummary(plan), "shop.test: +0 ~0 -0");
});

Deno.test("diffZone() creates a set missing in Route 53", () => {
  const plan = diffZone(ZONE, [a("new.shop.test.", "192.0.2.9")], zoneOf([]));
  assert.deepEqual(plan.changes, [{ kind: "create", after: a("new.shop.test.", "192.0.2.9") }]);
});

Deno.test("diffZone() deletes a record set that left the file, keeping its stored values", () => {
  const gone = { ...a("old.shop.test.", "192.0.2.5"), storedValues: ["192.000.2.5"] };
  const plan = diffZone(ZONE, [], zoneOf([gone]));
  assert.deepEqual(plan.changes, [{ kind: "delete", before: gone }]);
  assert.deepEqual(plan.existingCount, 1);
});

Deno.test("diffZone() updates a set whose TTL or values differ", () => {
  const before = a("www.shop.test.", "192.0.2.1");
  const ttl = { ...before, ttl: 60 };
  const values = a("www.shop.test.", "192.0.2.1", "192.0.2.2");
  assert.deepEqual(diffZone(ZONE, [ttl], zoneOf([before])).changes, [
    { kind: "update", before, after: ttl },
  ]);
  assert.deepEqual(diffZone(ZONE, [values], zoneOf([before])).changes, [
    { kind: "update", before, after: values },
  ]);
});

Deno.test("diffZone() turns a type change at one name into delete plus create", () => {
  const old = a("www.shop.test.", "192.0.2.1");
  const cname: RecordSet = {
    name: "www.shop.test.",
    type: "CNAME",
    ttl: 300,
    values: ["shop.test."],
  };
  const plan = diffZone(ZONE, [cname], zoneOf([old]));
  assert.deepEqual(plan.changes, [{ kind: "delete", before: old }, {
    kind: "create",
    after: cname,
  }]);
});

Deno.test("diffZone() orders changes deterministically whatever the input order", () => {
  const desired = [
    a("b.shop.test.", "192.0.2.1"),
    a("shop.test.", "192.0.2.1"),
    a("x.a.shop.test.", "192.0.2.1"),
    { name: "a.shop.test.", type: "TXT", ttl: 300, values: ['"v"'] } satisfies RecordSet,
    a("a.shop.test.", "192.0.2.1"),
  ];
  const reversed = [...desired].reverse();
  const names = (sets: RecordSet[]) =>
    diffZone(ZONE, sets, zoneOf([])).changes.map((c) =>
      c.kind === "delete" ? "" : `${c.after.name} ${c.after.type}`
    );
  const expected = [
    "shop.test. A",
    "a.shop.test. A",
    "a.shop.test. TXT",
    "x.a.shop.test. A",
    "b.shop.test. A",
  ];
  assert.deepEqual(names(desired), expected);
  assert.deepEqual(names(reversed), expected);
});

Deno.test("diffZone() leaves apex SOA and NS alone even when the file declares them", () => {
  const ns: RecordSet = { name: ZONE, type: "NS", ttl: 3600, values: ["ns1.other.test."] };
  const plan = diffZone(
    ZONE,
    [ns],
    zoneOf([], [{ name: ZONE, type: "NS", reason: "apex-ns" }, {
      name: ZONE,
      type: "SOA",
      reason: "apex-soa",
    }]),
  );
  assert.deepEqual(plan.changes, []);
  assert.deepEqual(plan.skipped.map((s) => s.set), [ns]);
  assert.deepEqual(plan.unmanaged.length, 2);
});

Deno.test("diffZone() never overwrites an alias set and reports the collision", () => {
  const desired = a("cdn.shop.test.", "192.0.2.7");
  const plan = diffZone(
    ZONE,
    [desired],
    zoneOf([], [{ name: "cdn.shop.test.", type: "A", reason: "alias" }]),
  );
  assert.deepEqual(plan.changes, []);
  assert.deepEqual(plan.skipped.length, 1);
  const text = formatPlan(plan);
  assert.deepEqual(text.includes("! skipped cdn.shop.test. A"), true);
  assert.deepEqual(text.includes("= unmanaged cdn.shop.test. A (alias), left untouched"), true);
});

Deno.test("diffZone() refuses the same (name, type) given twice", () => {
  const set = a("www.shop.test.", "192.0.2.1");
  assert.throws(() => diffZone(ZONE, [set, set], zoneOf([])), {
    name: "TypeError",
    message: /given twice/,
  });
});

Deno.test("formatPlan() prints the summary and one line per change", () => {
  const plan = diffZone(
    ZONE,
    [a("new.shop.test.", "192.0.2.1"), a("www.shop.test.", "192.0.2.3")],
    zoneOf([a("www.shop.test.", "192.0.2.2"), a("old.shop.test.", "192.0.2.4")]),
  );
  assert.deepEqual(countChanges(plan), { create: 1, update: 1, delete: 1 });
  assert.deepEqual(formatPlan(plan).split("\n"), [
    "shop.test: +1 ~1 -1",
    "+ new.shop.test. 300 A 192.0.2.1",
    "- old.shop.test. 300 A 192.0.2.4",
    "~ www.shop.test. 300 A 192.0.2.2 -> 300 192.0.2.3",
  ]);
});
