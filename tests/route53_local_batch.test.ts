import assert, { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { createTestZone, withRoute53Local } from "../testing/route53_local/fixture.ts";

/** Sends one batch. */
function send(client: Route53Client, zoneId: string, changes: Change[], comment?: string) {
  return client.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: changes, ...(comment === undefined ? {} : { Comment: comment }) },
    }),
  );
}

/** The error a batch fails with: code, message and HTTP status. */
async function refusal(client: Route53Client, zoneId: string, changes: Change[]) {
  try {
    await send(client, zoneId, changes);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const meta: unknown = Reflect.get(error, "$metadata");
    const status = typeof meta === "object" && meta !== null
      ? Reflect.get(meta, "httpStatusCode")
      : undefined;
    return { code: error.name, message: error.message, status };
  }
  throw new Error("expected the batch to be refused");
}

/** Expects InvalidChangeBatch with exactly these texts, bracketed and ", "-joined. */
async function assertRefused(
  client: Route53Client,
  zoneId: string,
  changes: Change[],
  texts: string[],
) {
  assertEquals(await refusal(client, zoneId, changes), {
    code: "InvalidChangeBatch",
    message: `[${texts.join(", ")}]`,
    status: 400,
  });
}

async function listAll(client: Route53Client, zoneId: string): Promise<ResourceRecordSet[]> {
  const out = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return out.ResourceRecordSets ?? [];
}

const set = (name: string, type: string, values: string[], ttl = 300): ResourceRecordSet => ({
  Name: name,
  Type: type as ResourceRecordSet["Type"],
  TTL: ttl,
  ResourceRecords: values.map((Value) => ({ Value })),
});

const create = (s: ResourceRecordSet): Change => ({ Action: "CREATE", ResourceRecordSet: s });
const del = (s: ResourceRecordSet): Change => ({ Action: "DELETE", ResourceRecordSet: s });
const upsert = (s: ResourceRecordSet): Change => ({ Action: "UPSERT", ResourceRecordSet: s });

/** Runs `fn` against a fresh zone `shop.test.`. */
function inZone(fn: (client: Route53Client, zoneId: string) => Promise<void>) {
  return () =>
    withRoute53Local({}, async ({ client }) => {
      await fn(client, await createTestZone(client, "shop.test"));
    });
}

Deno.test(
  "row 1: CREATE of an existing set fails, names compared case-insensitively, identifier named",
  inZone(async (client, id) => {
    await send(client, id, [create(set("www.shop.test", "A", ["192.0.2.1"]))]);
    await assertRefused(client, id, [create(set("WWW.Shop.Test.", "A", ["192.0.2.2"]))], [
      "Tried to create resource record set [name='www.shop.test.', type='A'] but it already exists",
    ]);
    const geo: ResourceRecordSet = {
      ...set("geo.shop.test", "A", ["192.0.2.9"]),
      SetIdentifier: "Default",
      Weight: 10,
    };
    await send(client, id, [create(geo)]);
    await assertRefused(client, id, [create(geo)], [
      "Tried to create resource record set [name='geo.shop.test.', type='A', set-identifier='Default'] but it already exists",
    ]);
  }),
);

Deno.test(
  "rows 2 and 3: DELETE needs the set to exist with the same TTL and values (in any order)",
  inZone(async (client, id) => {
    await assertRefused(client, id, [del(set("gone.shop.test", "A", ["192.0.2.1"]))], [
      "Tried to delete resource record set [name='gone.shop.test.', type='A'] but it was not found",
    ]);
    await send(client, id, [create(set("m.shop.test", "A", ["192.0.2.1", "192.0.2.2"]))]);
    const mismatch =
      "Tried to delete resource record set [name='m.shop.test.', type='A'] but the values provided do not match the current values";
    await assertRefused(
      client,
      id,
      [del(set("m.shop.test", "A", ["192.0.2.1", "192.0.2.2"], 60))],
      [
        mismatch,
      ],
    );
    await assertRefused(client, id, [del(set("m.shop.test", "A", ["192.0.2.1"]))], [mismatch]);
    await send(client, id, [del(set("M.shop.test", "A", ["192.0.2.2", "192.0.2.1"]))]);
    assertEquals((await listAll(client, id)).length, 2);
  }),
);

Deno.test(
  "rows 4-6: CNAME may not share a name with other data and may not sit at the apex",
  inZone(async (client, id) => {
    await send(client, id, [create(set("a.shop.test", "A", ["192.0.2.1"]))]);
    await assertRefused(client, id, [create(set("a.shop.test", "CNAME", ["x.example.net"]))], [
      "RRSet of type CNAME with DNS name a.shop.test. is not permitted as it conflicts with other records with the same DNS name in zone shop.test.",
    ]);
    await send(client, id, [create(set("c.shop.test", "CNAME", ["x.example.net"]))]);
    await assertRefused(client, id, [create(set("c.shop.test", "TXT", ['"x"']))], [
      "RRSet of type TXT with DNS name c.shop.test. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone shop.test.",
    ]);
    await assertRefused(client, id, [create(set("shop.test", "CNAME", ["x.example.net"]))], [
      "RRSet of type CNAME with DNS name shop.test. is not permitted at apex in zone shop.test.",
    ]);
  }),
);

Deno.test(
  "row 7: a name outside the zone is refused, compared label by label",
  inZone(async (client, id) => {
    await assertRefused(client, id, [
      create(set("notshop.test", "A", ["192.0.2.1"])),
      create(set("www.shop.test.evil", "A", ["192.0.2.1"])),
    ], [
      "RRSet with DNS name notshop.test. is not permitted in zone shop.test.",
      "RRSet with DNS name www.shop.test.evil. is not permitted in zone shop.test.",
    ]);
  }),
);

Deno.test(
  "rows 8 and 9: the apex SOA and the apex NS cannot be deleted, but can be replaced",
  inZone(async (client, id) => {
    const [ns, soa] = await listAll(client, id);
    assert(ns !== undefined && soa !== undefined);
    await assertRefused(client, id, [del(soa)], [
      "A HostedZone must contain exactly one SOA record.",
    ]);
    await assertRefused(client, id, [del(ns)], [
      "A HostedZone must contain at least one NS record for the zone itself.",
    ]);
    const newNs = set("shop.test.", "NS", ["ns1.example.net."], 3600);
    await send(client, id, [del(ns), create(newNs)]);
    await send(client, id, [upsert(set("shop.test.", "SOA", [
      "ns1.example.net. hostmaster.shop.test. 2 7200 900 1209600 300",
    ], 900))]);
    const after = await listAll(client, id);
    assertEquals(after.map((s) => [s.Type, s.TTL, s.ResourceRecords?.map((r) => r.Value)]), [
      ["NS", 3600, ["ns1.example.net."]],
      ["SOA", 900, ["ns1.example.net. hostmaster.shop.test. 2 7200 900 1209600 300"]],
    ]);
  }),
);

Deno.test(
  "row 10: the same value twice in one set is refused (AAAA compared as addresses)",
  inZone(async (client, id) => {
    await assertRefused(client, id, [
      create(set("d.shop.test", "A", ["192.0.2.1", "192.0.2.1"])),
      create(set("d.shop.test", "AAAA", ["2001:db8::1", "2001:0db8:0:0::1"])),
    ], [
      "Duplicate Resource Record: '192.0.2.1'",
      "Duplicate Resource Record: '2001:0db8:0:0::1'",
    ]);
  }),
);

Deno.test(
  "row 11: one set in two changes is refused, except DELETE followed by CREATE",
  inZone(async (client, id) => {
    const a = set("x.shop.test", "A", ["192.0.2.1"]);
    const twice = (t: string) =>
      `The request contains an invalid set of changes for a resource record set '${t} x.shop.test.'`;
    await assertRefused(client, id, [create(a), create(a)], [twice("A")]);
    await assertRefused(client, id, [upsert(a), upsert(a)], [twice("A")]);
    await assertRefused(client, id, [create(a), upsert(a)], [twice("A")]);
    await send(client, id, [create(a)]);
    await assertRefused(client, id, [del(a), del(a)], [twice("A")]);
    await assertRefused(client, id, [del(a), upsert(a)], [twice("A")]);
    await assertRefused(client, id, [del(a), create(a), del(a)], [twice("A")]);
    await send(client, id, [del(a), create(set("x.shop.test", "A", ["192.0.2.7"], 60))]);
    const x = (await listAll(client, id)).find((s) => s.Name === "x.shop.test.");
    assertEquals(x?.TTL, 60);
    assertEquals(x?.ResourceRecords, [{ Value: "192.0.2.7" }]);
  }),
);

Deno.test(
  "rows 12 and 13: TXT and SPF values must be quoted strings of at most 255 characters each",
  inZone(async (client, id) => {
    const s255 = "a".repeat(255);
    const s256 = "a".repeat(256);
    await assertRefused(client, id, [
      create(set("t1.shop.test", "TXT", ["v=spf1 -all"])),
      create(set("t2.shop.test", "SPF", ['"open'])),
      create(set("t3.shop.test", "TXT", [`"${s256}"`])),
    ], [
      "Invalid Resource Record: FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'v=spf1 -all'",
      `Invalid Resource Record: FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '"open'`,
      `Invalid Resource Record: FATAL problem: CharacterStringTooLong (Value is too long) encountered with '"${s256}"'`,
    ]);
    const long = `"${s255}" "${s255}" "${s255}"`;
    const escaped = `"${'\\"'.repeat(255)}"`;
    const values = [long, '"a""b"', '"Ab \\\\ \\344"', escaped, '""'];
    await send(client, id, [create(set("t.shop.test", "TXT", values))]);
    const t = (await listAll(client, id)).find((s) => s.Name === "t.shop.test.");
    assertEquals(t?.ResourceRecords?.map((r) => r.Value), values);
  }),
);

Deno.test(
  "row 14: A values must be single dotted-quad IPv4 addresses",
  inZone(async (client, id) => {
    const bad = (v: string, code: string, what: string) =>
      `Invalid Resource Record: FATAL problem: ${code} (${what}) encountered with '${v}'`;
    await assertRefused(client, id, [
      create(set("a1.shop.test", "A", ["192.0.2.256"])),
      create(set("a2.shop.test", "A", ["192.0.2.1 192.0.2.2"])),
      create(set("a3.shop.test", "A", ["2001:db8::1"])),
      create(set("a4.shop.test", "A", ["192.0.2"])),
    ], [
      bad("192.0.2.256", "ARRDATAIllegalIPv4Address", "Value is not a valid IPv4 address"),
      bad("192.0.2.1 192.0.2.2", "ARRDATANotSingleField", "Value contains spaces"),
      bad("2001:db8::1", "ARRDATAIllegalIPv4Address", "Value is not a valid IPv4 address"),
      bad("192.0.2", "ARRDATAIllegalIPv4Address", "Value is not a valid IPv4 address"),
    ]);
  }),
);

Deno.test(
  "rows 15 and 16: labels over 63 bytes, empty labels and raw spaces in names are refused",
  inZone(async (client, id) => {
    const label = "l".repeat(64);
    await assertRefused(client, id, [
      create(set(`${label}.shop.test`, "A", ["192.0.2.1"])),
      create(set("a..shop.test", "A", ["192.0.2.1"])),
      create(set("a b.shop.test", "A", ["192.0.2.1"])),
    ], [
      `FATAL problem: DomainLabelTooLong (Domain label is too long) encountered with '${label}'`,
      "FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with 'a..shop.test'",
      "FATAL problem: UnsupportedCharacter (Value contains unsupported characters) encountered with ' '",
    ]);
    await send(client, id, [create(set(`${"l".repeat(63)}.shop.test`, "A", ["192.0.2.1"]))]);
  }),
);

Deno.test(
  "row 20: a set holds at most 400 values",
  inZone(async (client, id) => {
    const ips = (n: number) => Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    await assertRefused(client, id, [create(set("many.shop.test", "A", ips(401)))], [
      "Cannot have more than 400 records in a RRSet.",
    ]);
    await send(client, id, [create(set("many.shop.test", "A", ips(400)))]);
  }),
);

Deno.test(
  "a CNAME holds one value and SOA only exists at the apex",
  inZone(async (client, id) => {
    const r = await refusal(client, id, [
      create(set("c.shop.test", "CNAME", ["a.example.net", "b.example.net"])),
      create(set("s.shop.test", "SOA", ["a. b. 1 2 3 4 5"])),
    ]);
    assertEquals(r.code, "InvalidChangeBatch");
    assertMatch(r.message, /CNAME with DNS name c\.shop\.test\. has 2 values/);
    assertMatch(r.message, /SOA with DNS name s\.shop\.test\. is not permitted/);
  }),
);

Deno.test(
  "all or nothing: one bad change refuses the whole batch, and every failure is reported in order",
  inZone(async (client, id) => {
    await send(client, id, [create(set("old.shop.test", "CNAME", ["a.example.net"]))]);
    await assertRefused(client, id, [
      create(set("new.shop.test", "A", ["192.0.2.1"])),
      del(set("old.shop.test", "CNAME", ["b.example.net"])),
      create(set("old.shop.test", "CNAME", ["c.example.net"])),
      create(set("new2.shop.test", "A", ["192.0.2.300"])),
    ], [
      "Tried to delete resource record set [name='old.shop.test.', type='CNAME'] but the values provided do not match the current values",
      "Tried to create resource record set [name='old.shop.test.', type='CNAME'] but it already exists",
      "Invalid Resource Record: FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '192.0.2.300'",
    ]);
    assertEquals((await listAll(client, id)).map((s) => s.Name), [
      "shop.test.",
      "shop.test.",
      "old.shop.test.",
    ]);
  }),
);

Deno.test(
  "changes are evaluated in order: delete a CNAME, then create other types at its name",
  inZone(async (client, id) => {
    const cname = set("w.shop.test", "CNAME", ["a.example.net"]);
    await send(client, id, [create(cname)]);
    await send(client, id, [
      del(cname),
      create(set("w.shop.test", "A", ["192.0.2.1"])),
      create(set("w.shop.test", "TXT", ['"x"'])),
    ]);
    assertEquals(
      (await listAll(client, id)).filter((s) => s.Name === "w.shop.test.").map((s) => s.Type),
      ["A", "TXT"],
    );
  }),
);

Deno.test(
  "UPSERT creates or replaces a whole set; an identical UPSERT is accepted and keeps the stored text",
  inZone(async (client, id) => {
    await send(client, id, [upsert(set("u.shop.test", "AAAA", ["2001:0db8::a"]))]);
    await send(client, id, [upsert(set("u.shop.test", "AAAA", ["2001:db8::a"]))]);
    let u = (await listAll(client, id)).find((s) => s.Name === "u.shop.test.");
    assertEquals(u?.ResourceRecords, [{ Value: "2001:0db8::a" }]);
    const out = await send(client, id, [
      upsert(set("u.shop.test", "AAAA", ["2001:db8::b", "2001:db8::c"], 60)),
    ], "why");
    assertEquals(out.ChangeInfo?.Comment, "why");
    assertEquals(out.ChangeInfo?.Status, "PENDING");
    u = (await listAll(client, id)).find((s) => s.Name === "u.shop.test.");
    assertEquals(u, set("u.shop.test.", "AAAA", ["2001:db8::b", "2001:db8::c"], 60));
  }),
);

Deno.test(
  "values are stored verbatim and names lower-cased and escaped",
  inZone(async (client, id) => {
    await send(client, id, [
      create(set("MiXeD.Shop.Test", "CNAME", ["Target.Example.NET"])),
      create(set("mx.shop.test", "MX", ["10 Mail.Example.com.", "20 mail2.example.com"])),
      create(set("txt.shop.test", "TXT", ['"Keep Case & <Marks>"'])),
    ]);
    const sets = await listAll(client, id);
    assertEquals(
      sets.find((s) => s.Type === "CNAME"),
      set("mixed.shop.test.", "CNAME", ["Target.Example.NET"]),
    );
    assertEquals(
      sets.find((s) => s.Type === "MX")?.ResourceRecords?.map((r) => r.Value),
      ["10 Mail.Example.com.", "20 mail2.example.com"],
    );
    assertEquals(sets.find((s) => s.Type === "TXT")?.ResourceRecords, [{
      Value: '"Keep Case & <Marks>"',
    }]);
  }),
);

Deno.test(
  "per-type values: well-formed CAA, MX, SRV, NAPTR, DS, SSHFP, TLSA, SVCB, HTTPS, PTR, NS are accepted",
  inZone(async (client, id) => {
    const good: [string, string][] = [
      ["CAA", '0 issue "ca.example.net"'],
      ["CAA", '128 iodef "mailto:admin@example.com"'],
      ["MX", "0 ."],
      ["SRV", "10 5 5060 sip.example.com"],
      ["NAPTR", '100 50 "u" "E2U+sip" "!^(\\\\+441632960083)$!sip:\\\\1@example.com!" .'],
      ["DS", "12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE"],
      ["SSHFP", "1 1 09F6A01D2175742B257C6B98B7C72C44C4040683"],
      ["TLSA", "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6"],
      ["SVCB", '1 svc.example.net. alpn="h2,h3" port=8443'],
      ["HTTPS", "0 cdn.example.net."],
      ["PTR", "host.example.com."],
      ["NS", "ns1.example.org."],
    ];
    await send(
      client,
      id,
      good.map(([type, value], i) => create(set(`v${i}.shop.test`, type, [value]))),
    );
    const listed = (await listAll(client, id)).filter((s) => s.Name?.startsWith("v"));
    assertEquals(listed.length, good.length);
  }),
);

Deno.test(
  "per-type values: malformed CAA, MX, SRV, AAAA, DS, SSHFP, TLSA, HTTPS, CNAME values are refused",
  inZone(async (client, id) => {
    const bad: [string, string][] = [
      ["CAA", "0 issue ca.example.net"],
      ["CAA", '256 issue "x"'],
      ["CAA", '0 is-sue "x"'],
      ["MX", "mail.example.com"],
      ["MX", "70000 mail.example.com"],
      ["SRV", "10 5 mail.example.com"],
      ["AAAA", "2001:db8::1::2"],
      ["AAAA", "192.0.2.1"],
      ["DS", "1 8 2 XYZ"],
      ["SSHFP", "1 1"],
      ["TLSA", "3 1 1 abc"],
      ["HTTPS", '0 cdn.example.net. alpn="h2"'],
      ["CNAME", "a b"],
      ["NS", "ns1..example.org."],
    ];
    const r = await refusal(
      client,
      id,
      bad.map(([type, value], i) => create(set(`b${i}.shop.test`, type, [value]))),
    );
    assertEquals(r.code, "InvalidChangeBatch");
    for (const [, value] of bad) assert(r.message.includes(`encountered with '${value}'`), value);
    assertEquals((await listAll(client, id)).length, 2);
  }),
);

Deno.test(
  "alias sets are stored and listed with AliasTarget and no TTL; a missing same-zone target is row 21",
  inZone(async (client, id) => {
    await send(client, id, [
      create(set("www.shop.test", "A", ["192.0.2.1"])),
      {
        Action: "CREATE",
        ResourceRecordSet: {
          Name: "shop.test",
          Type: "A",
          AliasTarget: { HostedZoneId: id, DNSName: "WWW.shop.test", EvaluateTargetHealth: false },
        },
      },
      {
        Action: "CREATE",
        ResourceRecordSet: {
          Name: "cdn.shop.test",
          Type: "A",
          AliasTarget: {
            HostedZoneId: "Z2FDTNDATAQYW2",
            DNSName: "d123rk29d0stfj.cloudfront.net",
            EvaluateTargetHealth: false,
          },
        },
      },
    ]);
    const sets = await listAll(client, id);
    assertEquals(sets.find((s) => s.Name === "shop.test." && s.Type === "A"), {
      Name: "shop.test.",
      Type: "A",
      AliasTarget: { HostedZoneId: id, DNSName: "www.shop.test.", EvaluateTargetHealth: false },
    });
    assertEquals(
      sets.find((s) => s.Name === "cdn.shop.test.")?.AliasTarget?.DNSName,
      "d123rk29d0stfj.cloudfront.net.",
    );
    await assertRefused(client, id, [{
      Action: "CREATE",
      ResourceRecordSet: {
        Name: "x.shop.test",
        Type: "AAAA",
        AliasTarget: { HostedZoneId: id, DNSName: "www.shop.test", EvaluateTargetHealth: false },
      },
    }], [
      `Tried to create an alias that targets www.shop.test., type AAAA in zone ${id}, but that target was not found`,
    ]);
  }),
);

Deno.test(
  "sets with a SetIdentifier and routing fields are stored and listed unchanged",
  inZone(async (client, id) => {
    const weighted: ResourceRecordSet[] = ["one", "two"].map((sid, i) => ({
      ...set("w.shop.test.", "A", [`192.0.2.${i + 1}`], 60),
      SetIdentifier: sid,
      Weight: 10 * (i + 1),
      HealthCheckId: "abcdef12-3456-7890-abcd-ef1234567890",
    }));
    const geo: ResourceRecordSet = {
      ...set("g.shop.test.", "TXT", ['"eu"'], 60),
      SetIdentifier: "europe",
      GeoLocation: { ContinentCode: "EU" },
    };
    const failover: ResourceRecordSet = {
      ...set("f.shop.test.", "A", ["192.0.2.9"], 60),
      SetIdentifier: "primary",
      Failover: "PRIMARY",
    };
    await send(client, id, [...weighted, geo, failover].map(create));
    const sets = await listAll(client, id);
    assertEquals(sets.filter((s) => s.SetIdentifier !== undefined), [failover, geo, ...weighted]);
    await assertRefused(client, id, [create(set("w.shop.test.", "A", ["192.0.2.5"]))], [
      "RRSet with DNS name w.shop.test., type A cannot be created as other RRSets exist with the same name and type.",
    ]);
    await send(client, id, [del(weighted[0]!)]);
  }),
);

Deno.test(
  "InvalidInput for a set with neither or both of AliasTarget and TTL+ResourceRecords",
  inZone(async (client, id) => {
    const none = await refusal(client, id, [{
      Action: "CREATE",
      ResourceRecordSet: { Name: "n.shop.test", Type: "A" },
    }]);
    assertEquals(none, {
      code: "InvalidInput",
      message:
        "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name=n.shop.test, Type=A, SetIdentifier=null]",
      status: 400,
    });
    const both = await refusal(client, id, [{
      Action: "UPSERT",
      ResourceRecordSet: {
        Name: "b.shop.test.",
        Type: "A",
        TTL: 60,
        AliasTarget: { HostedZoneId: id, DNSName: "shop.test", EvaluateTargetHealth: false },
      },
    }]);
    assertEquals(
      both.message,
      "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change with [Action=UPSERT, Name=b.shop.test., Type=A, SetIdentifier=null]",
    );
  }),
);

Deno.test(
  "schema problems are InvalidInput 'Invalid XML ; …': a value over 4,000 characters, a negative TTL",
  inZone(async (client, id) => {
    const long = `"${"a".repeat(200)}"`.repeat(20).slice(0, 4001);
    const tooLong = await refusal(client, id, [create(set("l.shop.test", "TXT", [long]))]);
    assertEquals(tooLong.code, "InvalidInput");
    assertMatch(
      tooLong.message,
      /^Invalid XML ; cvc-maxLength-valid: .* with length = '4001' .*maxLength '4000' for type 'RData'\.$/,
    );
    const negative = await refusal(client, id, [
      create(set("n.shop.test", "A", ["192.0.2.1"], -1)),
    ]);
    assertEquals(negative.code, "InvalidInput");
    assertMatch(negative.message, /^Invalid XML ; cvc-minInclusive-valid: Value '-1'/);
  }),
);

Deno.test(
  "an alias may not point into another local hosted zone, nor ask CloudFront to evaluate target health",
  inZone(async (client, id) => {
    const other = await createTestZone(client, "other.test");
    const alias = (hostedZoneId: string, dnsName: string, evaluate: boolean): Change => ({
      Action: "CREATE",
      ResourceRecordSet: {
        Name: "al.shop.test",
        Type: "A",
        AliasTarget: {
          HostedZoneId: hostedZoneId,
          DNSName: dnsName,
          EvaluateTargetHealth: evaluate,
        },
      },
    });
    const cross = await refusal(client, id, [alias(other, "other.test", false)]);
    assertMatch(
      cross.message,
      new RegExp(`alias into hosted zone ${other}, but an alias may only target its own`),
    );
    const cf = await refusal(client, id, [alias("Z2FDTNDATAQYW2", "d1.cloudfront.net", true)]);
    assertMatch(cf.message, /CloudFront, which cannot evaluate target health/);
  }),
);

Deno.test(
  "a batch may not leave a same-zone alias without its target, but may replace the target",
  inZone(async (client, id) => {
    const www = set("www.shop.test.", "A", ["192.0.2.1"]);
    const alias: ResourceRecordSet = {
      Name: "shop.test.",
      Type: "A",
      AliasTarget: { HostedZoneId: id, DNSName: "www.shop.test.", EvaluateTargetHealth: false },
    };
    await send(client, id, [create(www), create(alias)]);
    await assertRefused(client, id, [del(www)], [
      "Alias [name='shop.test.', type='A'] would be left without its target www.shop.test., type A (route53-local refuses this; Route 53's behaviour is not documented)",
    ]);
    await send(client, id, [del(www), create(set("www.shop.test.", "A", ["192.0.2.2"]))]);
    await send(client, id, [del(alias), del(set("www.shop.test.", "A", ["192.0.2.2"]))]);
    assertEquals((await listAll(client, id)).length, 2);
  }),
);

Deno.test("row 23: a batch or a listing for an unknown zone is 404 NoSuchHostedZone", async () => {
  await withRoute53Local({}, async ({ client }) => {
    assertEquals(
      await refusal(client, "ZUNKNOWN", [create(set("a.shop.test", "A", ["192.0.2.1"]))]),
      {
        code: "NoSuchHostedZone",
        message: "No hosted zone found with ID: ZUNKNOWN",
        status: 404,
      },
    );
    let listed = "";
    try {
      await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: "ZUNKNOWN" }));
    } catch (error) {
      listed = error instanceof Error ? `${error.name}: ${error.message}` : "";
    }
    assertEquals(listed, "NoSuchHostedZone: No hosted zone found with ID: ZUNKNOWN");
  });
});
