import assert from "node:assert/strict";
import { diffZone, type ExistingRecordSet, type Plan } from "../lib/route53.ts";
import { checkPlanSafety, UnsafePlanError, unsafePlanReason } from "../lib/route53.ts";
import type { RecordSet } from "../lib/zones.ts";

const ZONE = "shop.test.";

function hosts(count: number, ip = "192.0.2.1"): RecordSet[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `h${i}.shop.test.`,
    type: "A" as const,
    ttl: 300,
    values: [ip],
  }));
}

function planFor(existing: ExistingRecordSet[], desired: RecordSet[]): Plan {
  return diffZone(ZONE, desired, { sets: existing, unmanaged: [] });
}

Deno.test("checkPlanSafety() lets 30% deletes of a 10-set zone through", () => {
  const plan = planFor(hosts(10), hosts(10).slice(3));
  assert.equal(unsafePlanReason(plan), null);
  checkPlanSafety(plan, { force: false });
});

Deno.test("checkPlanSafety() refuses deleting more than 30% of a zone of 10 sets", () => {
  const plan = planFor(hosts(10), hosts(10).slice(4));
  assert.throws(() => checkPlanSafety(plan, { force: false }), (error: unknown) => {
    assert.ok(error instanceof UnsafePlanError);
    assert.equal(error.deletes, 4);
    assert.equal(error.existing, 10);
    assert.match(error.message, /^Cannot apply plan for shop\.test: 4 of 10 record sets/);
    assert.match(error.message, /--force/);
    return true;
  });
});

Deno.test("checkPlanSafety() refuses updating more than 30% and names the share", () => {
  const plan = planFor(hosts(20), [...hosts(7, "192.0.2.9"), ...hosts(20).slice(7)]);
  assert.match(unsafePlanReason(plan) ?? "", /7 of 20 record sets would change \(35%/);
});

Deno.test("checkPlanSafety() never refuses a zone below the minimum size", () => {
  const plan = planFor(hosts(9), []);
  assert.equal(unsafePlanReason(plan), null);
});

Deno.test("checkPlanSafety() applies a refused plan when forced", () => {
  const plan = planFor(hosts(10), []);
  assert.throws(() => checkPlanSafety(plan, { force: false }), UnsafePlanError);
  checkPlanSafety(plan, { force: true });
});

Deno.test("checkPlanSafety() honours configured thresholds and force hint", () => {
  const plan = planFor(hosts(4), hosts(4).slice(1));
  assert.equal(unsafePlanReason(plan), null);
  assert.throws(
    () =>
      checkPlanSafety(plan, {
        force: false,
        thresholds: { minExisting: 2, maxDeleteRatio: 0.2 },
        forceHint: "push again with FORCE=1",
      }),
    { name: "UnsafePlanError", message: /1 of 4 .*limit 20%.*push again with FORCE=1/ },
  );
});

Deno.test("checkPlanSafety() does not count creates against the zone", () => {
  const plan = planFor(hosts(10), [...hosts(10), ...hosts(50).slice(10)]);
  assert.equal(unsafePlanReason(plan), null);
});
