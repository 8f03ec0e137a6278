import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { createTestZone, withRoute53Local } from "../testing/route53_local/fixture.ts";

const a = (
  name: string,
  type: string,
  value: string,
  extra: Partial<ResourceRecordSet> = {},
): Change => ({
  Action: "CREATE",
  ResourceRecordSet: {
    Name: name,
    Type: type as ResourceRecordSet["Type"],
    TTL: 60,
    ResourceRecords: [{ Value: value }],
    ...extra,
  },
});

async function fill(client: Route53Client, zoneId: string, changes: Change[]) {
  await client.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: changes },
    }),
  );
}

/** Pages through a zone by hand with Next* tokens, as the SDK offers no paginator. */
async function pageAll(client: Route53Client, zoneId: string, maxItems: number) {
  const sets: ResourceRecordSet[] = [];
  let input: ListResourceRecordSetsCommandInput = { HostedZoneId: zoneId, MaxItems: maxItems };
  let calls = 0;
  for (;;) {
    const page = await client.send(new ListResourceRecordSetsCommand(input));
    calls += 1;
    sets.push(...(page.ResourceRecordSets ?? []));
    if (!page.IsTruncated) {
      assertEquals([page.NextRecordName, page.NextRecordType, page.NextRecordIdentifier], [
        undefined,
        undefined,
        undefined,
      ]);
      return { sets, calls };
    }
    input = {
      HostedZoneId: zoneId,
      MaxItems: maxItems,
      StartRecordName: page.NextRecordName,
      StartRecordType: page.NextRecordType,
      ...(page.NextRecordIdentifier === undefined
        ? {}
        : { StartRecordIdentifier: page.NextRecordIdentifier }),
    };
  }
}

const label = (s: ResourceRecordSet) =>
  `${s.Name} ${s.Type}${s.SetIdentifier === undefined ? "" : ` ${s.SetIdentifier}`}`;

const TRICKY: Change[] = [
  a("Z.shop.test", "A", "192.0.2.1"),
  a("a.shop.test", "TXT", '"t"'),
  a("a.shop.test", "AAAA", "2001:db8::1"),
  a("a.shop.test", "A", "192.0.2.2"),
  a("a/b.shop.test", "A", "192.0.2.3"),
  a("b.a.shop.test", "A", "192.0.2.4"),
  a("a-b.shop.test", "A", "192.0.2.5"),
  a("_x.shop.test", "TXT", '"x"'),
  a("*.shop.test", "A", "192.0.2.6"),
  a("1.shop.test", "A", "192.0.2.7"),
  a("w.shop.test", "A", "192.0.2.8", { SetIdentifier: "2", Weight: 1 }),
  a("w.shop.test", "A", "192.0.2.9", { SetIdentifier: "1", Weight: 1 }),
  a("w.shop.test", "A", "192.0.2.10", { SetIdentifier: "3", Weight: 1 }),
];

/** Reversed labels + trailing dot compared as bytes, then type, then identifier. */
const EXPECTED = [
  "shop.test. NS",
  "shop.test. SOA",
  "1.shop.test. A",
  "\\052.shop.test. A",
  "_x.shop.test. TXT",
  "a-b.shop.test. A",
  "a.shop.test. A",
  "a.shop.test. AAAA",
  "a.shop.test. TXT",
  "b.a.shop.test. A",
  "a\\057b.shop.test. A",
  "w.shop.test. A 1",
  "w.shop.test. A 2",
  "w.shop.test. A 3",
  "z.shop.test. A",
];

Deno.test("ListResourceRecordSets orders by reversed labels with trailing dot as bytes, then type, and lists names in stored form", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "shop.test");
    await fill(client, id, TRICKY);
    const out = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
    assertEquals((out.ResourceRecordSets ?? []).map(label), EXPECTED);
    assertEquals(out.MaxItems, 300);
    assertEquals(out.IsTruncated, false);
  });
});

Deno.test("paging with every page size reproduces the full listing, also across one name's types and one identifier group", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "shop.test");
    await fill(client, id, TRICKY);
    for (let size = 1; size <= EXPECTED.length + 1; size += 1) {
      const { sets, calls } = await pageAll(client, id, size);
      assertEquals(sets.map(label), EXPECTED, `page size ${size}`);
      assertEquals(calls, Math.max(1, Math.ceil(EXPECTED.length / size)), `page size ${size}`);
    }
  });
});

Deno.test("NextRecordName/Type/Identifier name the first set of the next page in stored form", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "shop.test");
    await fill(client, id, TRICKY);
    const p1 = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: id, MaxItems: 3 }),
    );
    assertEquals([p1.IsTruncated, p1.NextRecordName, p1.NextRecordType, p1.NextRecordIdentifier], [
      true,
      "\\052.shop.test.",
      "A",
      undefined,
    ]);
    const p2 = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: id,
        StartRecordName: "w.shop.test",
        StartRecordType: "A",
        StartRecordIdentifier: "2",
        MaxItems: 1,
      }),
    );
    assertEquals((p2.ResourceRecordSets ?? []).map(label), ["w.shop.test. A 2"]);
    assertEquals([p2.NextRecordName, p2.NextRecordType, p2.NextRecordIdentifier], [
      "w.shop.test.",
      "A",
      "3",
    ]);
  });
});

Deno.test("a start name need not exist; name+type starts at that type or the next; raw * and escapes are accepted", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "shop.test");
    await fill(client, id, TRICKY);
    const first = async (input: Omit<ListResourceRecordSetsCommandInput, "HostedZoneId">) => {
      const out = await client.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: id, MaxItems: 1, ...input }),
      );
      return (out.ResourceRecordSets ?? []).map(label)[0];
    };
    // test.shop.a.a. falls just before test.shop.a.b.; test.shop.aa. after test.shop.a\057b.
    assertEquals(await first({ StartRecordName: "a.a.shop.test" }), "b.a.shop.test. A");
    assertEquals(await first({ StartRecordName: "aa.shop.test" }), "w.shop.test. A 1");
    assertEquals(await first({ StartRecordName: "A.Shop.Test." }), "a.shop.test. A");
    assertEquals(
      await first({ StartRecordName: "a.shop.test", StartRecordType: "CAA" }),
      "a.shop.test. TXT",
    );
    assertEquals(
      await first({ StartRecordName: "a.shop.test", StartRecordType: "TXT" }),
      "a.shop.test. TXT",
    );
    assertEquals(await first({ StartRecordName: "*.shop.test" }), "\\052.shop.test. A");
    assertEquals(await first({ StartRecordName: "\\052.shop.test." }), "\\052.shop.test. A");
    assertEquals(await first({ StartRecordName: "a\\057b.shop.test" }), "a\\057b.shop.test. A");
    const past = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: id, StartRecordName: "zz.shop.test" }),
    );
    assertEquals([past.ResourceRecordSets, past.IsTruncated], [[], false]);
  });
});

Deno.test("a type without a name, or a start name with a raw space, is InvalidInput", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "shop.test");
    const failure = async (input: Omit<ListResourceRecordSetsCommandInput, "HostedZoneId">) => {
      try {
        await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: id, ...input }));
      } catch (error) {
        return error instanceof Error ? `${error.name}: ${error.message}` : "";
      }
      return "accepted";
    };
    assertEquals(
      await failure({ StartRecordType: "A" }),
      "InvalidInput: Invalid request: The input for the type parameter requires a value for the name parameter.",
    );
    assertEquals(
      await failure({ StartRecordName: "a b.shop.test" }),
      "InvalidInput: FATAL problem: UnsupportedCharacter (Value contains unsupported characters) encountered with ' '",
    );
  });
});

Deno.test("pages hold at most 300 sets: a larger MaxItems is capped and 602 sets take three pages", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "big.test");
    const changes = Array.from({ length: 600 }, (_, i) => a(`h${i}.big.test`, "A", "192.0.2.1"));
    await fill(client, id, changes.slice(0, 300));
    await fill(client, id, changes.slice(300));
    const page = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: id, MaxItems: 5000 }),
    );
    assertEquals([page.MaxItems, page.ResourceRecordSets?.length, page.IsTruncated], [
      300,
      300,
      true,
    ]);
    const { sets, calls } = await pageAll(client, id, 300);
    assertEquals([sets.length, calls], [602, 3]);
    assertEquals(new Set(sets.map(label)).size, 602);
  });
});
