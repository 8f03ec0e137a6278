import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { createTestZone, withRoute53Local } from "../testing/route53_local/fixture.ts";

function send(client: Route53Client, zoneId: string, changes: Change[]) {
  return client.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: changes },
    }),
  );
}

async function outcome(client: Route53Client, zoneId: string, changes: Change[]): Promise<string> {
  try {
    await send(client, zoneId, changes);
    return "accepted";
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return `${error.name}: ${error.message}`;
  }
}

const change = (
  action: "CREATE" | "UPSERT" | "DELETE",
  name: string,
  type: string,
  values: string[],
): Change => ({
  Action: action,
  ResourceRecordSet: {
    Name: name,
    Type: type as ResourceRecordSet["Type"],
    TTL: 60,
    ResourceRecords: values.map((Value) => ({ Value })),
  },
});

const ips = (n: number, base = 0) =>
  Array.from({ length: n }, (_, i) => `10.${base}.${i >> 8}.${i & 255}`);

/** A TXT value of exactly `length` characters made of quoted strings of up to 255. */
function txt(length: number, fill = "a"): string {
  const pieces: string[] = [];
  let left = length;
  while (left > 0) {
    const room = pieces.length === 0 ? left : left - 1; // a space before every later piece
    const size = Math.min(255, room);
    if (size < 2 || (room - size > 0 && room - size < 3)) {
      // Keep the last piece at least `""` long by shortening this one.
      const shorter = Math.min(255, room - 3);
      pieces.push(`"${fill.repeat(shorter - 2)}"`);
      left -= shorter + (pieces.length === 1 ? 0 : 1);
      continue;
    }
    pieces.push(`"${fill.repeat(size - 2)}"`);
    left -= size + (pieces.length === 1 ? 0 : 1);
  }
  const value = pieces.join(" ");
  if (value.length !== length) throw new Error(`txt(${length}) built ${value.length} characters`);
  return value;
}

const RECORDS = "InvalidChangeBatch: [Number of records limit of 1000 exceeded.]";
const RDATA = "InvalidChangeBatch: [RDATA character limit of 32000 exceeded.]";

Deno.test("a request holds at most 1,000 ResourceRecord elements", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "limits.test");
    const over = [400, 400, 201].map((n, i) =>
      change("CREATE", `r${i}.limits.test`, "A", ips(n, i))
    );
    assertEquals(await outcome(client, id, over), RECORDS);
    const exact = [400, 400, 200].map((n, i) =>
      change("CREATE", `r${i}.limits.test`, "A", ips(n, i))
    );
    assertEquals(await outcome(client, id, exact), "accepted");
  });
});

Deno.test("UPSERT elements count twice toward the 1,000-element limit; DELETE once", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "limits.test");
    const over = [400, 101].map((n, i) => change("UPSERT", `u${i}.limits.test`, "A", ips(n, i)));
    assertEquals(await outcome(client, id, over), RECORDS);
    const exact = [400, 100].map((n, i) => change("UPSERT", `u${i}.limits.test`, "A", ips(n, i)));
    assertEquals(await outcome(client, id, exact), "accepted");
    const deletes = [400, 100].map((n, i) => change("DELETE", `u${i}.limits.test`, "A", ips(n, i)));
    const creates = [400, 100].map((n, i) => change("CREATE", `c${i}.limits.test`, "A", ips(n, i)));
    assertEquals(await outcome(client, id, [...deletes, ...creates]), "accepted");
  });
});

Deno.test("a request holds at most 32,000 value characters, UPSERT counted twice", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "limits.test");
    const values = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => txt(3200, tag[i % tag.length]));
    const ten = values(10, "abcdefghij");
    assertEquals(ten.reduce((n, v) => n + v.length, 0), 32000);
    assertEquals(
      await outcome(client, id, [
        change("CREATE", "t.limits.test", "TXT", ten),
        change("CREATE", "x.limits.test", "TXT", ['""']),
      ]),
      RDATA,
    );
    assertEquals(
      await outcome(client, id, [change("CREATE", "t.limits.test", "TXT", ten)]),
      "accepted",
    );
    const five = values(5, "klmno");
    assertEquals(
      await outcome(client, id, [
        change("UPSERT", "u.limits.test", "TXT", five),
        change("CREATE", "x.limits.test", "TXT", ['""']),
      ]),
      RDATA,
    );
    assertEquals(
      await outcome(client, id, [change("UPSERT", "u.limits.test", "TXT", five)]),
      "accepted",
    );
  });
});

Deno.test("the per-zone quota MAX_RRSETS_BY_ZONE counts SOA and NS, and deletes still work at the quota", async () => {
  await withRoute53Local({ maxRecordSetsPerZone: 5 }, async ({ client }) => {
    const id = await createTestZone(client, "quota.test");
    const sets = [1, 2, 3, 4].map((i) => change("CREATE", `q${i}.quota.test`, "A", ["192.0.2.1"]));
    assertEquals(
      await outcome(client, id, sets),
      `InvalidChangeBatch: [Exceeded limit MAX_RRSETS_BY_ZONE for zone: ${id}]`,
    );
    assertEquals(await outcome(client, id, sets.slice(0, 3)), "accepted");
    const swap = [
      change("DELETE", "q1.quota.test", "A", ["192.0.2.1"]),
      change("CREATE", "q4.quota.test", "A", ["192.0.2.1"]),
    ];
    assertEquals(await outcome(client, id, swap), "accepted");
  });
});
