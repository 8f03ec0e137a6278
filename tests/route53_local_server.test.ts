import assert, { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  GetHostedZoneCommand,
  ListHealthChecksCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
} from "@aws-sdk/client-route-53";
import { createTestZone, localClient, withRoute53Local } from "../testing/route53_local/fixture.ts";
import { startRoute53Local } from "../testing/route53_local/server.ts";

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Posts raw XML and returns status, code, message and request IDs of the reply. */
async function rawPost(url: string, body: string) {
  const response = await fetch(url, {
    method: "POST",
    body,
    headers: { "Content-Type": "application/xml" },
  });
  const text = await response.text();
  return {
    status: response.status,
    code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1],
    message: /<Message>([^<]*)<\/Message>/.exec(text)?.[1],
    headerId: response.headers.get("x-amzn-requestid"),
    bodyId: /<RequestId>([^<]*)<\/RequestId>/.exec(text)?.[1],
    text,
  };
}

const CHANGE_XML = (action: string, root = "ChangeResourceRecordSetsRequest") =>
  `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="https://route53.amazonaws.com/doc/2013-04-01/">` +
  `<ChangeBatch><Changes><Change><Action>${action}</Action><ResourceRecordSet><Name>www.raw.test</Name>` +
  `<Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord>` +
  `</ResourceRecords></ResourceRecordSet></Change></Changes><Comment>c</Comment></ChangeBatch></${root}>`;

Deno.test("the server accepts botocore's …/rrset/ with a trailing slash, and XML formatted with whitespace", async () => {
  await withRoute53Local({}, async ({ server, client }) => {
    const id = await createTestZone(client, "raw.test");
    const pretty = CHANGE_XML("CREATE").replaceAll("><", ">\n  <").replace(
      ">\n  <Value>",
      "><Value>",
    )
      .replace("</Value>\n  <", "</Value><");
    const r = await rawPost(`${server.url}/2013-04-01/hostedzone/${id}/rrset/`, pretty);
    assertEquals(r.status, 200, r.text);
    assertMatch(
      r.text,
      /<ChangeResourceRecordSetsResponse xmlns="https:\/\/route53\.amazonaws\.com\/doc\/2013-04-01\/"><ChangeInfo><Id>\/change\/C[A-Z0-9]+<\/Id><Status>PENDING<\/Status><SubmittedAt>[0-9T:.-]+Z<\/SubmittedAt><Comment>c<\/Comment><\/ChangeInfo>/,
    );
    const list = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
    assertEquals(list.ResourceRecordSets?.[2]?.ResourceRecords, [{ Value: "192.0.2.1" }]);
  });
});

Deno.test("errors use the ErrorResponse envelope with Type, Code, Message and a RequestId matching x-amzn-RequestId", async () => {
  await withRoute53Local({}, async ({ server, client }) => {
    const id = await createTestZone(client, "raw.test");
    const wrongRoot = await rawPost(
      `${server.url}/2013-04-01/hostedzone/${id}/rrset`,
      CHANGE_XML("CREATE", "ChangeBatch"),
    );
    assertEquals([wrongRoot.status, wrongRoot.code, wrongRoot.message], [
      400,
      "MalformedInput",
      "ChangeBatch is not valid, expected ChangeResourceRecordSetsRequest",
    ]);
    assertMatch(
      wrongRoot.text,
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<ErrorResponse xmlns="https:\/\/route53\.amazonaws\.com\/doc\/2013-04-01\/"><Error><Type>Sender<\/Type><Code>MalformedInput<\/Code>/,
    );
    assert(wrongRoot.headerId !== null && wrongRoot.headerId === wrongRoot.bodyId);
    const badAction = await rawPost(
      `${server.url}/2013-04-01/hostedzone/${id}/rrset`,
      CHANGE_XML("INVALID_ACTION"),
    );
    assertEquals([badAction.code, badAction.message], [
      "InvalidInput",
      "Invalid XML ; cvc-enumeration-valid: Value 'INVALID_ACTION' is not facet-valid with respect to enumeration '[CREATE, DELETE, UPSERT]'. It must be a value from the enumeration.",
    ]);
    const doctype = await rawPost(
      `${server.url}/2013-04-01/hostedzone/${id}/rrset`,
      `<!DOCTYPE x [<!ENTITY e "A">]>${CHANGE_XML("CREATE")}`,
    );
    assertEquals([doctype.status, doctype.code], [400, "InvalidInput"]);
    assertMatch(doctype.message ?? "", /^Invalid XML ; DOCTYPE is disallowed/);
    const notXml = await rawPost(
      `${server.url}/2013-04-01/hostedzone/${id}/rrset`,
      "<ChangeResourceRecordSetsRequest>",
    );
    assertEquals([notXml.status, notXml.code], [400, "InvalidInput"]);
    assertMatch(notXml.message ?? "", /^Invalid XML ; /);
  });
});

Deno.test("IDs in paths are not prefix-stripped by the server: an encoded /change/ prefix is NoSuchChange", async () => {
  await withRoute53Local({}, async ({ server }) => {
    const response = await fetch(
      `${server.url}/2013-04-01/change/%2Fchange%2FC003789825HUY95U5CD79`,
    );
    const text = await response.text();
    assertEquals(response.status, 404);
    assertMatch(
      text,
      /<Code>NoSuchChange<\/Code><Message>Could not find resource with ID: \/change\/C003789825HUY95U5CD79<\/Message>/,
    );
  });
});

Deno.test("an unsupported operation is refused with 400 InvalidAction naming it, logged and counted, never a silent 200", async () => {
  const lines: string[] = [];
  await withRoute53Local({ log: (line) => lines.push(line) }, async ({ server, client }) => {
    let failure = "";
    try {
      await client.send(new ListHealthChecksCommand({}));
    } catch (error) {
      failure = errorName(error);
    }
    assertMatch(
      failure,
      /^InvalidAction: route53-local does not implement GET \/2013-04-01\/healthcheck \(health checks\)/,
    );
    const put = await fetch(`${server.url}/2013-04-01/hostedzone`, { method: "PUT", body: "" });
    assertEquals(put.status, 400);
    assertMatch(
      await put.text(),
      /<Code>InvalidAction<\/Code><Message>route53-local does not implement PUT \/2013-04-01\/hostedzone;/,
    );
    const other = await fetch(`${server.url}/`);
    assertEquals(other.status, 400);
    await other.body?.cancel();
    assertEquals(lines.length, 3);
    assertMatch(lines[0] ?? "", /refused GET \/2013-04-01\/healthcheck/);
    assertEquals(server.stats().Unsupported, 3);
  });
});

Deno.test("stats count requests per operation, /_local/stats serves them as JSON, resetStats clears them", async () => {
  await withRoute53Local({}, async ({ server, client }) => {
    const id = await createTestZone(client, "stats.test");
    await client.send(new GetHostedZoneCommand({ Id: id }));
    await client.send(new GetHostedZoneCommand({ Id: id }));
    await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
    try {
      await client.send(new GetHostedZoneCommand({ Id: "ZMISSING" }));
    } catch { /* a failed request still counts */ }
    const expected = { CreateHostedZone: 1, GetHostedZone: 3, ListResourceRecordSets: 1 };
    assertEquals(server.stats(), expected);
    const response = await fetch(`${server.url}/_local/stats`);
    assertEquals(await response.json(), expected);
    server.resetStats();
    assertEquals(server.stats(), {});
  });
});

Deno.test("throttling injection answers 400 Throttling 'Rate exceeded', deterministically for a seed", async () => {
  const pattern = async (seed: number) => {
    const outcomes: string[] = [];
    let stats: Record<string, number> = {};
    await withRoute53Local(
      { throttleRate: 0.3, seed, maxAttempts: 1 },
      async ({ server, client }) => {
        for (let i = 0; i < 40; i += 1) {
          try {
            await client.send(new ListHostedZonesCommand({}));
            outcomes.push("ok");
          } catch (error) {
            const status = error instanceof Error
              ? Reflect.get(Reflect.get(error, "$metadata") ?? {}, "httpStatusCode")
              : 0;
            outcomes.push(`${errorName(error)} ${status}`);
          }
        }
        stats = server.stats();
      },
    );
    return { outcomes, stats };
  };
  const first = await pattern(7);
  const throttled = first.outcomes.filter((o) => o !== "ok");
  assert(throttled.length > 0 && throttled.length < 40, `throttled ${throttled.length} of 40`);
  assertEquals(new Set(throttled), new Set(["Throttling: Rate exceeded 400"]));
  assertEquals(first.stats, { ListHostedZones: 40, Throttled: throttled.length });
  assertEquals((await pattern(7)).outcomes, first.outcomes);
  assert((await pattern(8)).outcomes.join() !== first.outcomes.join());
});

Deno.test("the SDK retries an injected Throttling and then succeeds; every attempt is counted", async () => {
  await withRoute53Local({ throttleRate: 0.5, seed: 3 }, async ({ server, client }) => {
    let successes = 0;
    for (let i = 0; i < 4; i += 1) {
      try {
        await client.send(new ListHostedZonesCommand({}));
        successes += 1;
      } catch (error) {
        assertMatch(errorName(error), /^Throttling/);
      }
    }
    const stats = server.stats();
    assert(successes > 0);
    assert((stats.ListHostedZones ?? 0) > successes, JSON.stringify(stats));
    assertEquals((stats.ListHostedZones ?? 0) - (stats.Throttled ?? 0), successes);
  });
});

Deno.test("busy injection answers a batch 400 PriorRequestNotComplete and leaves the zone as it was", async () => {
  await withRoute53Local({ busyRate: 0.5, seed: 5, maxAttempts: 1 }, async ({ server, client }) => {
    const id = await createTestZone(client, "pending.test");
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const batch = new ChangeResourceRecordSetsCommand({
        HostedZoneId: id,
        ChangeBatch: {
          Changes: [{
            Action: "CREATE",
            ResourceRecordSet: {
              Name: `s${i}.pending.test`,
              Type: "A",
              TTL: 60,
              ResourceRecords: [{ Value: "192.0.2.1" }],
            },
          }],
        },
      });
      outcomes.push(await client.send(batch).then(() => "ok", (error) => errorName(error)));
    }
    const busy = outcomes.filter((o) => o !== "ok");
    assert(busy.length > 0 && busy.length < 20, `busy ${busy.length} of 20`);
    assertEquals(
      new Set(busy),
      new Set([
        "PriorRequestNotComplete: The request was rejected because Route 53 was still " +
        "processing a prior request.",
      ]),
    );
    const list = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
    assertEquals(list.ResourceRecordSets?.length, 2 + 20 - busy.length, "busy batches applied");
    const stats = server.stats();
    assertEquals(stats.Busy, busy.length);
    assertEquals(stats.ListResourceRecordSets, 1, "reads are never answered busy");
  });
});

Deno.test("a zone created with a configured delegation set gets its name servers and names it; an unknown set is refused", async () => {
  const servers = ["ns1.dns-api.test", "ns2.dns-api.test", "ns3.dns-api.test", "ns4.dns-api.test"];
  await withRoute53Local(
    { delegationSets: { N1PA6795SAMPLE: servers } },
    async ({ client }) => {
      const created = await client.send(
        new CreateHostedZoneCommand({
          Name: "white.test",
          CallerReference: "ref-white",
          DelegationSetId: "N1PA6795SAMPLE",
        }),
      );
      assertEquals(created.DelegationSet?.NameServers, servers);
      assertEquals(created.DelegationSet?.Id, "/delegationset/N1PA6795SAMPLE");
      const id = created.HostedZone?.Id ?? "";
      const got = await client.send(new GetHostedZoneCommand({ Id: id }));
      assertEquals(got.DelegationSet?.Id, "/delegationset/N1PA6795SAMPLE");
      const list = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
      const ns = list.ResourceRecordSets?.find((r) => r.Type === "NS");
      assertEquals(ns?.ResourceRecords?.map((r) => r.Value), servers.map((n) => `${n}.`));
      const plain = await client.send(
        new CreateHostedZoneCommand({ Name: "plain.test", CallerReference: "ref-plain" }),
      );
      assertEquals(plain.DelegationSet?.Id, undefined, "no Id without a reusable set");
      let refused = "";
      await client.send(
        new CreateHostedZoneCommand({
          Name: "other.test",
          CallerReference: "ref-other",
          DelegationSetId: "NOSUCHSET",
        }),
      ).catch((error) => refused = errorName(error));
      assertMatch(refused, /^NoSuchDelegationSet: .*NOSUCHSET/);
    },
  );
  await assert.rejects(
    () => startRoute53Local({ delegationSets: { N1: ["ns1.test."] } }),
    /delegation set N1 needs four host names without trailing dots/,
  );
});

Deno.test("latency injection delays but does not change answers", async () => {
  await withRoute53Local({ latencyMs: 20 }, async ({ client }) => {
    const id = await createTestZone(client, "slow.test");
    const out = await client.send(new GetHostedZoneCommand({ Id: id }));
    assertEquals(out.HostedZone?.Name, "slow.test.");
  });
});

Deno.test("concurrent batches on one zone are serialised: each set is created exactly once", async () => {
  await withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "busy.test");
    const attempts = Array.from({ length: 20 }, (_, i) =>
      client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: id,
          ChangeBatch: {
            Changes: [{
              Action: "CREATE",
              ResourceRecordSet: {
                Name: `s${i % 10}.busy.test`,
                Type: "A",
                TTL: 60,
                ResourceRecords: [{ Value: `192.0.2.${i}` }],
              },
            }],
          },
        }),
      ).then(() => "ok", (error) => errorName(error).split(":")[0]));
    const results = await Promise.all(attempts);
    assertEquals(results.filter((r) => r === "ok").length, 10);
    assertEquals(results.filter((r) => r === "InvalidChangeBatch").length, 10);
    const list = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
    assertEquals(list.ResourceRecordSets?.length, 12);
  });
});

Deno.test("state persists across a restart: zones, sets, name servers, delegation sets and burnt caller references", async () => {
  const dir = await Deno.makeTempDir({ prefix: "route53_local_state_" });
  const statePath = `${dir}/state.json`;
  try {
    const servers = [
      "ns1.keep.example",
      "ns2.keep.example",
      "ns3.keep.example",
      "ns4.keep.example",
    ];
    const delegationSets = { KEEPSET: servers };
    const first = await startRoute53Local({ statePath, delegationSets, log: () => {} });
    const c1 = localClient(first.url);
    const created = await c1.send(
      new CreateHostedZoneCommand({ Name: "keep.test", CallerReference: "keep-1" }),
    );
    const white = await c1.send(
      new CreateHostedZoneCommand({
        Name: "white.test",
        CallerReference: "keep-2",
        DelegationSetId: "KEEPSET",
      }),
    );
    const id = (created.HostedZone?.Id ?? "").replace("/hostedzone/", "");
    await c1.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: id,
        ChangeBatch: {
          Changes: [{
            Action: "CREATE",
            ResourceRecordSet: {
              Name: "*.keep.test",
              Type: "TXT",
              TTL: 60,
              ResourceRecords: [{ Value: '"a \\"quoted\\" value"' }],
            },
          }, {
            Action: "CREATE",
            ResourceRecordSet: {
              Name: "w.keep.test",
              Type: "A",
              SetIdentifier: "one",
              Weight: 5,
              AliasTarget: {
                HostedZoneId: "Z2FDTNDATAQYW2",
                DNSName: "d1.cloudfront.net",
                EvaluateTargetHealth: false,
              },
            },
          }],
        },
      }),
    );
    const before = await c1.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
    c1.destroy();
    await first.close();

    const second = await startRoute53Local({ statePath, delegationSets, log: () => {} });
    const c2 = localClient(second.url);
    try {
      const kept = await c2.send(new GetHostedZoneCommand({ Id: white.HostedZone?.Id ?? "" }));
      assertEquals(kept.DelegationSet, { Id: "/delegationset/KEEPSET", NameServers: servers });
      const zone = await c2.send(new GetHostedZoneCommand({ Id: id }));
      assertEquals(
        zone.HostedZone,
        created.HostedZone && { ...created.HostedZone, ResourceRecordSetCount: 4 },
      );
      assertEquals(zone.DelegationSet?.NameServers, created.DelegationSet?.NameServers);
      const after = await c2.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
      assertEquals(after.ResourceRecordSets, before.ResourceRecordSets);
      let reuse = "";
      try {
        await c2.send(
          new CreateHostedZoneCommand({ Name: "other.test", CallerReference: "keep-1" }),
        );
      } catch (error) {
        reuse = errorName(error);
      }
      assertMatch(reuse, /^HostedZoneAlreadyExists/);
    } finally {
      c2.destroy();
      await second.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a corrupt state file stops the server from starting with a message naming the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "route53_local_state_" });
  try {
    await Deno.writeTextFile(
      `${dir}/state.json`,
      JSON.stringify({ version: 1, zones: [{ id: 3 }] }),
    );
    let message = "";
    try {
      const server = await startRoute53Local({ statePath: `${dir}/state.json` });
      await server.close();
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    assertMatch(message, /^Cannot load route53-local state .*state\.json: zones\.0\.id: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the CLI prints 'listening on http://127.0.0.1:N' first, serves /_local/stats, and stops on SIGTERM", async () => {
  const dir = await Deno.makeTempDir({ prefix: "route53_local_cli_" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      new URL("../testing/route53_local/main.ts", import.meta.url).pathname,
      "--port",
      "0",
      "--state",
      `${dir}/state.json`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    while (!buffered.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
    }
    const firstLine = buffered.split("\n")[0] ?? "";
    assertMatch(firstLine, /^listening on http:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
    const url = firstLine.slice("listening on ".length);
    const client = localClient(url);
    await client.send(new CreateHostedZoneCommand({ Name: "cli.test", CallerReference: "cli" }));
    client.destroy();
    const stats = await fetch(`${url}/_local/stats`);
    assertEquals(await stats.json(), { CreateHostedZone: 1 });
    child.kill("SIGTERM");
    await reader.cancel();
    const status = await child.status;
    await child.stderr.cancel();
    assertEquals(status.code, 0);
    const saved = JSON.parse(await Deno.readTextFile(`${dir}/state.json`));
    assertEquals(saved.zones[0].name, "cli.test.");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a query parameter the operation does not define is refused, not ignored", async () => {
  await withRoute53Local({}, async ({ server, client }) => {
    const id = await createTestZone(client, "q.test");
    const typo = await fetch(`${server.url}/2013-04-01/hostedzone/${id}/rrset?maxItems=5`);
    assertEquals(typo.status, 400);
    assertMatch(
      await typo.text(),
      /<Code>InvalidInput<\/Code><Message>route53-local: ListResourceRecordSets takes no query parameter 'maxItems' \(it takes: name, type, identifier, maxitems\)<\/Message>/,
    );
    const ok = await fetch(`${server.url}/2013-04-01/hostedzone/${id}/rrset?maxitems=5`);
    assertEquals(ok.status, 200);
    await ok.body?.cancel();
  });
});

Deno.test("CreateHostedZone bodies are schema-checked: unknown elements and over-long CallerReferences are InvalidInput", async () => {
  await withRoute53Local({}, async ({ server }) => {
    const body = (inner: string) =>
      `<?xml version="1.0"?>\n<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">\n  ${inner}\n</CreateHostedZoneRequest>`;
    const url = `${server.url}/2013-04-01/hostedzone`;
    const unknown = await rawPost(
      url,
      body("<Name>x.test</Name><CallerReference>1</CallerReference><Nmae>y</Nmae>"),
    );
    assertEquals([unknown.status, unknown.code], [400, "InvalidInput"]);
    assertMatch(
      unknown.message ?? "",
      /^Invalid XML ; cvc-complex-type\.2\.4\.a: Invalid content was found starting with element 'Nmae'/,
    );
    const long = await rawPost(
      url,
      body(`<Name>x.test</Name><CallerReference>${"r".repeat(129)}</CallerReference>`),
    );
    assertMatch(
      long.message ?? "",
      /^Invalid XML ; cvc-maxLength-valid: .* with length = '129' .*maxLength '128'/,
    );
    const missingName = await rawPost(url, body("<CallerReference>2</CallerReference>"));
    assertMatch(
      missingName.message ?? "",
      /^Invalid XML ; cvc-complex-type\.2\.4\.b: .*'CreateHostedZoneRequest'.*Name/,
    );
    const pretty = await rawPost(
      url,
      body(
        "<Name>x.test</Name>\n  <CallerReference>3</CallerReference>\n  <HostedZoneConfig>\n  </HostedZoneConfig>",
      ),
    );
    assertEquals(pretty.status, 201, pretty.text);
  });
});
