import assert from "node:assert/strict";
import {
  type BatchChange,
  batchChanges,
  type ChangeBatch,
  changeCost,
  minimumBatchCount,
  ROUTE53_LIMITS,
  toBatchChanges,
} from "../lib/route53.ts";
import type { Change, ExistingRecordSet } from "../lib/route53.ts";
import { type RecordSet, rrsetKey } from "../lib/zones.ts";

function a(name: string, values: string[], ttl = 300): RecordSet {
  return { name, type: "A", ttl, values };
}

function ips(count: number, last = 1): string[] {
  return Array.from({ length: count }, (_, i) => `10.${Math.floor(i / 250)}.${i % 250}.${last}`);
}

function txt(name: string, chars: number): RecordSet {
  return { name, type: "TXT", ttl: 300, values: [`"${"x".repeat(chars - 2)}"`] };
}

/** Every request respects both limits and touches a set at most once, bar DELETE→CREATE. */
function assertValid(batches: ChangeBatch[]): void {
  for (const batch of batches) {
    let records = 0;
    let chars = 0;
    const seen = new Map<string, string[]>();
    for (const change of batch.changes) {
      const cost = changeCost(change);
      records += cost.records;
      chars += cost.chars;
      const key = rrsetKey(change.set);
      seen.set(key, [...(seen.get(key) ?? []), change.action]);
    }
    assert.ok(records <= ROUTE53_LIMITS.maxRecords, `records ${records}`);
    assert.ok(chars <= ROUTE53_LIMITS.maxChars, `chars ${chars}`);
    assert.equal(records, batch.records);
    assert.equal(chars, batch.chars);
    for (const [key, actions] of seen) {
      if (actions.length > 1) assert.deepEqual(actions, ["DELETE", "CREATE"], key);
    }
  }
}

function updates(count: number): Change[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: "update" as const,
    before: a(`h${i}.shop.test.`, ["192.0.2.1"]),
    after: a(`h${i}.shop.test.`, ["192.0.2.2"]),
  }));
}

Deno.test("batchChanges() fits 500 single-value UPSERTs in one request and 501 in two", () => {
  const five = batchChanges(updates(500), { jobId: "j1" });
  assert.equal(five.length, 1);
  assert.equal(five[0]?.records, 1000);
  assert.ok(five[0]?.changes.every((c) => c.action === "UPSERT"));
  const more = batchChanges(updates(501), { jobId: "j1" });
  assert.equal(more.length, 2);
  assertValid(more);
});

Deno.test("batchChanges() splits on the 32,000-character limit", () => {
  const creates: Change[] = Array.from({ length: 200 }, (_, i) => ({
    kind: "create",
    after: txt(`t${i}.shop.test.`, 200),
  }));
  const batches = batchChanges(creates, { jobId: "j" });
  assert.equal(batches.length, 2);
  assert.equal(minimumBatchCount(creates), 2);
  assertValid(batches);
});

Deno.test("batchChanges() deletes with the exact stored values and TTL", () => {
  const before: ExistingRecordSet = {
    ...a("old.shop.test.", ["192.0.2.5"], 86400),
    storedValues: ["192.000.002.005"],
  };
  const [batch] = batchChanges([{ kind: "delete", before }], { jobId: "j" });
  assert.deepEqual(batch?.changes, [{
    action: "DELETE",
    set: { name: "old.shop.test.", type: "A", ttl: 86400, values: ["192.000.002.005"] },
  }]);
});

Deno.test("toBatchChanges() sends a growing set as DELETE+CREATE, others as UPSERT", () => {
  const one = a("w.shop.test.", ["192.0.2.1"]);
  const two = a("w.shop.test.", ["192.0.2.1", "192.0.2.2"]);
  const grow = toBatchChanges({ kind: "update", before: one, after: two });
  assert.deepEqual(grow.map((c) => c.action), ["DELETE", "CREATE"]);
  assert.equal(grow.reduce((n, c) => n + changeCost(c).records, 0), 3);
  const shrink = toBatchChanges({ kind: "update", before: two, after: one });
  assert.deepEqual(shrink.map((c) => c.action), ["UPSERT"]);
  const same = toBatchChanges({ kind: "update", before: one, after: { ...one, ttl: 60 } });
  assert.deepEqual(same.map((c) => c.action), ["UPSERT"]);
  const forced = toBatchChanges({ kind: "update", before: one, after: two }, undefined, "upsert");
  assert.deepEqual(forced.map((c) => c.action), ["UPSERT"]);
});

Deno.test("batchChanges() keeps a type change in one request, delete first", () => {
  const filler: Change[] = Array.from({ length: 499 }, (_, i) => ({
    kind: "create",
    after: a(`f${i}.shop.test.`, ["192.0.2.1", "192.0.2.2"]),
  }));
  const typeChange: Change[] = [
    { kind: "delete", before: a("www.shop.test.", ips(4)) },
    {
      kind: "create",
      after: { name: "www.shop.test.", type: "CNAME", ttl: 300, values: ["shop.test."] },
    },
  ];
  const batches = batchChanges([...filler, ...typeChange], { jobId: "j" });
  assertValid(batches);
  const holding = batches.filter((b) => b.changes.some((c) => c.set.name === "www.shop.test."));
  assert.equal(holding.length, 1);
  const atWww = holding[0]?.changes.filter((c) => c.set.name === "www.shop.test.");
  assert.deepEqual(atWww?.map((c) => `${c.action} ${c.set.type}`), ["DELETE A", "CREATE CNAME"]);
});

Deno.test("batchChanges() names the job id in every request's Comment", () => {
  const batches = batchChanges(updates(1200), { jobId: "5f0c2a9e-job" });
  assert.equal(batches.length, 3);
  assert.deepEqual(batches.map((b) => b.comment), [
    "dns-api job 5f0c2a9e-job batch 1/3",
    "dns-api job 5f0c2a9e-job batch 2/3",
    "dns-api job 5f0c2a9e-job batch 3/3",
  ]);
});

Deno.test("batchChanges() refuses a set too large for any request and names it", () => {
  const huge: RecordSet = {
    name: "big.shop.test.",
    type: "TXT",
    ttl: 300,
    values: Array.from({ length: 10 }, (_, i) => `"${String(i).repeat(3999)}"`.slice(0, 4000)),
  };
  assert.throws(() => batchChanges([{ kind: "create", after: huge }], { jobId: "j" }), {
    name: "RangeError",
    message: /big\.shop\.test\./,
  });
});

Deno.test("batchChanges() of no changes is no request", () => {
  assert.deepEqual(batchChanges([], { jobId: "j" }), []);
});

Deno.test("batchChanges() reaches the lower bound and stays valid on mixed random plans", () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let round = 0; round < 20; round++) {
    const changes: Change[] = [];
    const count = 50 + Math.floor(random() * 1500);
    for (let i = 0; i < count; i++) {
      const name = `n${i}.shop.test.`;
      const values = ips(1 + Math.floor(random() * 3), round);
      const pick = random();
      if (pick < 0.4) changes.push({ kind: "create", after: a(name, values) });
      else if (pick < 0.7) changes.push({ kind: "delete", before: a(name, values) });
      else changes.push({ kind: "update", before: a(name, values), after: a(name, ips(2)) });
    }
    const batches = batchChanges(changes, { jobId: `r${round}` });
    assertValid(batches);
    const sent: BatchChange[] = batches.flatMap((b) => b.changes);
    assert.ok(sent.length >= changes.length);
    assert.ok(batches.length <= minimumBatchCount(changes) + 1, `round ${round}`);
  }
});

Deno.test("batchChanges() uses exactly the minimum for uniform pushes of 1, 100 and 10,000", () => {
  for (const count of [1, 100, 10000]) {
    const changes = updates(count);
    assert.equal(batchChanges(changes, { jobId: "j" }).length, minimumBatchCount(changes));
  }
});
