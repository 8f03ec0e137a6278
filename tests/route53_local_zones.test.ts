import assert, { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
} from "@aws-sdk/client-route-53";
import { createTestZone, withRoute53Local } from "../testing/route53_local/fixture.ts";

function errorOf(error: unknown): { name: string; message: string; status: number | undefined } {
  if (!(error instanceof Error)) throw error;
  const meta: unknown = Reflect.get(error, "$metadata");
  const status = typeof meta === "object" && meta !== null
    ? Reflect.get(meta, "httpStatusCode")
    : undefined;
  return {
    name: error.name,
    message: error.message,
    status: typeof status === "number" ? status : undefined,
  };
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return errorOf(error);
  }
  throw new Error("expected the call to fail");
}

Deno.test("CreateHostedZone answers 201 with Location, four name servers, and apex NS and SOA", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const out = await client.send(
      new CreateHostedZoneCommand({
        Name: "Shop.Test",
        CallerReference: "ref-1",
        HostedZoneConfig: { Comment: "a & b" },
      }),
    );
    assertEquals(out.$metadata.httpStatusCode, 201);
    const id = out.HostedZone?.Id ?? "";
    assertMatch(id, /^\/hostedzone\/Z[A-Z0-9]{12,31}$/);
    assertEquals(out.Location, `https://route53.amazonaws.com/2013-04-01${id}`);
    assertEquals(out.HostedZone?.Name, "shop.test.");
    assertEquals(out.HostedZone?.CallerReference, "ref-1");
    assertEquals(out.HostedZone?.Config, { Comment: "a & b", PrivateZone: false });
    assertEquals(out.HostedZone?.ResourceRecordSetCount, 2);
    assertEquals(out.ChangeInfo?.Status, "PENDING");
    const ns = out.DelegationSet?.NameServers ?? [];
    assertEquals(ns.length, 4);
    ["com", "net", "org", "co.uk"].forEach((tld, i) =>
      assertMatch(
        ns[i] ?? "",
        new RegExp(`^ns-\\d{1,4}\\.awsdns-\\d{2}\\.${tld.replace(".", "\\.")}$`),
      )
    );
    const list = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
    assertEquals(list.ResourceRecordSets, [
      {
        Name: "shop.test.",
        Type: "NS",
        TTL: 172800,
        ResourceRecords: ns.map((n) => ({ Value: `${n}.` })),
      },
      {
        Name: "shop.test.",
        Type: "SOA",
        TTL: 900,
        ResourceRecords: [
          { Value: `${ns[0]}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400` },
        ],
      },
    ]);
  });
});

Deno.test("a CallerReference is burnt forever: reuse answers 409 even after the zone is deleted", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const first = await client.send(
      new CreateHostedZoneCommand({ Name: "a.test", CallerReference: "same" }),
    );
    const again = await failure(
      client.send(new CreateHostedZoneCommand({ Name: "a.test", CallerReference: "same" })),
    );
    assertEquals(again, {
      name: "HostedZoneAlreadyExists",
      message: "A hosted zone has already been created with the specified caller reference.",
      status: 409,
    });
    await client.send(new DeleteHostedZoneCommand({ Id: first.HostedZone?.Id }));
    const afterDelete = await failure(
      client.send(new CreateHostedZoneCommand({ Name: "b.test", CallerReference: "same" })),
    );
    assertEquals(afterDelete.name, "HostedZoneAlreadyExists");
  });
});

Deno.test("GetHostedZone returns the zone and its delegation set; an unknown ID is 404 NoSuchHostedZone", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "get.test");
    const out = await client.send(new GetHostedZoneCommand({ Id: id }));
    assertEquals(out.HostedZone?.Id, `/hostedzone/${id}`);
    assertEquals(out.HostedZone?.Name, "get.test.");
    assertEquals(out.DelegationSet?.NameServers?.length, 4);
    assertEquals(await failure(client.send(new GetHostedZoneCommand({ Id: "ZNOPE" }))), {
      name: "NoSuchHostedZone",
      message: "No hosted zone found with ID: ZNOPE",
      status: 404,
    });
  });
});

Deno.test("ListHostedZones pages with Marker/NextMarker and caps MaxItems at 100", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i += 1) ids.add(await createTestZone(client, `z${i}.test`));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ListHostedZonesCommand({
          MaxItems: 2,
          ...(marker === undefined ? {} : { Marker: marker }),
        }),
      );
      pages += 1;
      assertEquals(page.MaxItems, 2);
      assertEquals(page.Marker, marker);
      seen.push(...(page.HostedZones ?? []).map((z) => (z.Id ?? "").replace("/hostedzone/", "")));
      marker = page.IsTruncated ? page.NextMarker : undefined;
      if (page.IsTruncated) assert(marker !== undefined);
      else assertEquals(page.NextMarker, undefined);
    } while (marker !== undefined);
    assertEquals(pages, 3);
    assertEquals(new Set(seen), ids);
    assertEquals(seen.length, 5);
    const big = await client.send(new ListHostedZonesCommand({ MaxItems: 5000 }));
    assertEquals(big.MaxItems, 100);
  });
});

Deno.test("ListHostedZonesByName starts at dnsname (not a filter), orders by reversed name, pages by name and ID", async () => {
  await withRoute53Local({}, async ({ client }) => {
    // Reversed-label order: com.a-b. < com.a. < com.a.b. < com.b. ; twins share a name.
    const names = ["b.com", "a.com", "b.a.com", "a-b.com", "a.com"];
    for (const n of names) await createTestZone(client, n);
    const all = await client.send(new ListHostedZonesByNameCommand({}));
    assertEquals(
      (all.HostedZones ?? []).map((z) => z.Name),
      ["a-b.com.", "a.com.", "a.com.", "b.a.com.", "b.com."],
    );
    const from = await client.send(new ListHostedZonesByNameCommand({ DNSName: "A.com" }));
    assertEquals(from.DNSName, "A.com");
    assertEquals((from.HostedZones ?? []).map((z) => z.Name), [
      "a.com.",
      "a.com.",
      "b.a.com.",
      "b.com.",
    ]);
    const missingName = await client.send(new ListHostedZonesByNameCommand({ DNSName: "aa.com" }));
    assertEquals((missingName.HostedZones ?? []).map((z) => z.Name), ["b.com."]);
    // Paging through the twins by NextDNSName + NextHostedZoneId.
    const collected: string[] = [];
    let dnsName: string | undefined;
    let zoneId: string | undefined;
    for (;;) {
      const page = await client.send(
        new ListHostedZonesByNameCommand({
          MaxItems: 2,
          ...(dnsName === undefined ? {} : { DNSName: dnsName }),
          ...(zoneId === undefined ? {} : { HostedZoneId: zoneId }),
        }),
      );
      collected.push(...(page.HostedZones ?? []).map((z) => z.Id ?? ""));
      if (!page.IsTruncated) break;
      dnsName = page.NextDNSName;
      zoneId = page.NextHostedZoneId;
    }
    assertEquals(collected, (all.HostedZones ?? []).map((z) => z.Id ?? ""));
    const bad = await failure(
      client.send(new ListHostedZonesByNameCommand({ HostedZoneId: "Z123" })),
    );
    assertEquals(bad.name, "InvalidInput");
  });
});

Deno.test("DeleteHostedZone refuses a zone with non-required sets, then deletes it once only SOA and NS remain", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "del.test");
    const www = {
      Name: "www.del.test",
      Type: "A" as const,
      TTL: 60,
      ResourceRecords: [{ Value: "192.0.2.1" }],
    };
    await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: id,
        ChangeBatch: { Changes: [{ Action: "CREATE", ResourceRecordSet: www }] },
      }),
    );
    assertEquals(await failure(client.send(new DeleteHostedZoneCommand({ Id: id }))), {
      name: "HostedZoneNotEmpty",
      message:
        "The specified hosted zone contains non-required resource record sets and so cannot be deleted.",
      status: 400,
    });
    await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: id,
        ChangeBatch: { Changes: [{ Action: "DELETE", ResourceRecordSet: www }] },
      }),
    );
    const out = await client.send(new DeleteHostedZoneCommand({ Id: id }));
    assertEquals(out.ChangeInfo?.Status, "PENDING");
    assertEquals(
      (await failure(client.send(new GetHostedZoneCommand({ Id: id })))).name,
      "NoSuchHostedZone",
    );
  });
});

Deno.test("GetChange reports PENDING until insyncAfterMs has passed, then INSYNC; unknown IDs are 404 NoSuchChange", async () => {
  await withRoute53Local({ insyncAfterMs: 60_000 }, async ({ client }) => {
    const out = await client.send(
      new CreateHostedZoneCommand({ Name: "c.test", CallerReference: "c" }),
    );
    const change = await client.send(new GetChangeCommand({ Id: out.ChangeInfo?.Id }));
    assertEquals(change.ChangeInfo?.Status, "PENDING");
    assertEquals(await failure(client.send(new GetChangeCommand({ Id: "CNOPE" }))), {
      name: "NoSuchChange",
      message: "Could not find resource with ID: CNOPE",
      status: 404,
    });
  });
  await withRoute53Local({}, async ({ client }) => {
    const out = await client.send(
      new CreateHostedZoneCommand({ Name: "c.test", CallerReference: "c" }),
    );
    const change = await client.send(new GetChangeCommand({ Id: out.ChangeInfo?.Id }));
    assertEquals(change.ChangeInfo?.Status, "INSYNC");
    assertEquals(change.ChangeInfo?.Id, out.ChangeInfo?.Id);
  });
});

Deno.test("CreateHostedZone refuses what the server does not implement or AWS does not allow", async () => {
  await withRoute53Local({ reservedNames: true }, async ({ client }) => {
    const delegation = await failure(
      client.send(
        new CreateHostedZoneCommand({
          Name: "d.test.org",
          CallerReference: "1",
          DelegationSetId: "N1",
        }),
      ),
    );
    assertEquals(delegation.name, "NoSuchDelegationSet");
    assertMatch(delegation.message, /no delegation set N1 \(start it with --delegation-set\)/);
    const reserved = await failure(
      client.send(new CreateHostedZoneCommand({ Name: "www.Example.com", CallerReference: "2" })),
    );
    assertEquals(reserved, {
      name: "InvalidDomainName",
      message: "www.example.com is reserved by AWS!",
      status: 400,
    });
    const tld = await failure(
      client.send(new CreateHostedZoneCommand({ Name: "com", CallerReference: "3" })),
    );
    assertEquals(tld.name, "InvalidDomainName");
    const privateZone = await failure(
      client.send(
        new CreateHostedZoneCommand({
          Name: "p.test.org",
          CallerReference: "4",
          VPC: { VPCId: "vpc-1", VPCRegion: "us-east-1" },
        }),
      ),
    );
    assertMatch(privateZone.message, /private hosted zones/);
  });
  await withRoute53Local({}, async ({ client }) => {
    const out = await client.send(
      new CreateHostedZoneCommand({ Name: "example.com", CallerReference: "5" }),
    );
    assertEquals(out.HostedZone?.Name, "example.com.");
  });
});

Deno.test("CreateHostedZone answers TooManyHostedZones past the account quota", async () => {
  await withRoute53Local({ maxHostedZones: 2 }, async ({ client }) => {
    await createTestZone(client, "one.test");
    await createTestZone(client, "two.test");
    assertEquals((await failure(createTestZone(client, "three.test"))).name, "TooManyHostedZones");
  });
});
