import assert from "node:assert/strict";
import { isDriftError, planIncremental } from "../lib/route53.ts";
import { batchChanges } from "../lib/route53.ts";
import type { RecordSet } from "../lib/zones.ts";

const ZONE = "shop.test.";

function set(name: string, type: RecordSet["type"], ...values: string[]): RecordSet {
  return { name, type, ttl: 300, values };
}

function invalidChangeBatch(message: string): Error {
  return Object.assign(new Error(message), { name: "InvalidChangeBatch" });
}

Deno.test("planIncremental() of two equal versions changes nothing", () => {
  const sets = [set("www.shop.test.", "A", "192.0.2.1")];
  assert.deepEqual(planIncremental(ZONE, sets, structuredClone(sets)).changes, []);
});

Deno.test("planIncremental() creates new sets, deletes removed ones with old values, updates changed ones", () => {
  const previous = [
    set("gone.shop.test.", "TXT", '"bye"'),
    set("www.shop.test.", "A", "192.0.2.1"),
  ];
  const desired = [
    set("new.shop.test.", "A", "192.0.2.9"),
    set("www.shop.test.", "A", "192.0.2.2"),
  ];
  const plan = planIncremental(ZONE, previous, desired);
  assert.deepEqual(plan.changes, [
    { kind: "delete", before: previous[0] },
    { kind: "create", after: desired[0] },
    { kind: "update", before: previous[1], after: desired[1] },
  ]);
  assert.equal(plan.existingCount, 2);
  const [batch] = batchChanges(plan.changes, { jobId: "j" });
  assert.deepEqual(batch?.changes.map((c) => `${c.action} ${c.set.name} ${c.set.values}`), [
    `DELETE gone.shop.test. "bye"`,
    "CREATE new.shop.test. 192.0.2.9",
    "UPSERT www.shop.test. 192.0.2.2",
  ]);
});

Deno.test("isDriftError() recognises Route 53's drift messages", () => {
  for (
    const message of [
      "[Tried to create resource record set [name='a.shop.test.', type='A'] but it already exists]",
      "[Tried to delete resource record set [name='a.shop.test.', type='A'] but it was not found]",
      "[Tried to delete resource record set [name='a.shop.test.', type='A'] but the values provided do not match the current values]",
      "[RRSet of type CNAME with DNS name a.shop.test. is not permitted as it conflicts with other records with the same DNS name in zone shop.test.]",
      "UnknownError",
    ]
  ) {
    assert.equal(isDriftError(invalidChangeBatch(message)), true, message);
  }
});

Deno.test("isDriftError() rejects errors a reconcile cannot fix", () => {
  assert.equal(
    isDriftError(invalidChangeBatch("[Number of records limit of 1000 exceeded.]")),
    false,
  );
  assert.equal(
    isDriftError(Object.assign(new Error("but it already exists"), { name: "InvalidInput" })),
    false,
  );
  assert.equal(isDriftError(new Error("Rate exceeded")), false);
  assert.equal(isDriftError("already exists"), false);
});
