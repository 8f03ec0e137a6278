import assert from "node:assert/strict";
import { CreateHostedZoneCommand } from "@aws-sdk/client-route-53";
import { statsDelta, withSyncEnv } from "./route53_sync_env.ts";
import {
  bareId,
  createHostedZone,
  findHostedZone,
  findHostedZones,
  getNameservers,
  normaliseLiveSet,
} from "../lib/route53.ts";

Deno.test("createHostedZone() returns the new zone and its four name servers", async () => {
  await withSyncEnv({}, async ({ api }) => {
    const created = await createHostedZone(api, "new.test.");
    assert.equal(created.zone.name, "new.test.");
    assert.match(created.zone.id, /^Z[A-Z0-9]+$/);
    assert.equal(created.nameservers.length, 4);
    assert.deepEqual(await getNameservers(api, created.zone.id), created.nameservers);
    assert.deepEqual(await findHostedZone(api, "new.test."), created.zone);
    assert.equal(await findHostedZone(api, "other.test."), null);
    assert.equal(await findHostedZone(api, "test."), null, "a parent name is not a match");
  });
});

Deno.test("createHostedZone() uses a fresh CallerReference per call", async () => {
  await withSyncEnv({}, async ({ api }) => {
    const one = await createHostedZone(api, "a.test.");
    const two = await createHostedZone(api, "b.test.");
    assert.notEqual(one.zone.callerReference, two.zone.callerReference);
  });
});

Deno.test("findHostedZone() refuses to choose between two public zones of one name", async () => {
  await withSyncEnv({}, async ({ api, client }) => {
    for (let i = 0; i < 2; i++) {
      await client.send(
        new CreateHostedZoneCommand({ Name: "twin.test", CallerReference: crypto.randomUUID() }),
      );
    }
    await assert.rejects(findHostedZone(api, "twin.test."), {
      message: /Cannot choose the hosted zone for twin\.test\.: 2 public hosted zones/,
    });
  });
});

Deno.test("findHostedZones() pages through more same-named zones than one page holds", async () => {
  await withSyncEnv({}, async ({ api, client, server }) => {
    await createHostedZone(api, "a.test.");
    await createHostedZone(api, "z.test.");
    for (let i = 0; i < 105; i++) {
      await client.send(
        new CreateHostedZoneCommand({ Name: "many.test", CallerReference: crypto.randomUUID() }),
      );
    }
    const before = server.stats();
    const found = await findHostedZones(api, "many.test.");
    assert.equal(found.length, 105);
    assert.equal(new Set(found.map((z) => z.id)).size, 105);
    assert.equal(statsDelta(before, server.stats()).ListHostedZonesByName, 2);
  });
});

Deno.test("createHostedZone() recovers by lookup when the response is lost", async () => {
  await withSyncEnv({ sdkMaxAttempts: 1 }, async ({ api, client, server }) => {
    let dropped = false;
    // The request reaches the server and creates the zone; the caller never hears back.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        if (context.commandName === "CreateHostedZoneCommand" && !dropped) {
          dropped = true;
          throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        }
        return output;
      },
      { step: "initialize", name: "dropFirstCreateResponse" },
    );
    const before = server.stats();
    const created = await createHostedZone(api, "lost.test.");
    assert.equal(dropped, true);
    assert.equal(created.nameservers.length, 4);
    const delta = statsDelta(before, server.stats());
    assert.equal(delta.CreateHostedZone, 1, "no second zone was created");
    assert.equal(await findHostedZone(api, "lost.test.").then((z) => z?.id), created.zone.id);
  });
});

Deno.test("createHostedZone() recovers by lookup after a 409 for its own reference", async () => {
  await withSyncEnv({}, async ({ api, client, server }) => {
    let sent = 0;
    // The first attempt is lost after the server committed it; the SDK's retry then
    // repeats the same CallerReference and gets 409 HostedZoneAlreadyExists.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        if (context.commandName === "CreateHostedZoneCommand" && sent++ === 0) {
          throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
        }
        return output;
      },
      { step: "deserialize", name: "dropFirstCreateAttempt" },
    );
    const before = server.stats();
    const created = await createHostedZone(api, "conflict.test.");
    assert.equal(statsDelta(before, server.stats()).CreateHostedZone, 2);
    assert.equal(created.zone.name, "conflict.test.");
    assert.equal(created.nameservers.length, 4);
  });
});

Deno.test("normaliseLiveSet() decodes names and values and keeps the stored text for deletes", () => {
  const live = normaliseLiveSet("shop.test.", {
    Name: "\\052.shop.test.",
    Type: "CNAME",
    TTL: 60,
    ResourceRecords: [{ Value: "WWW.Shop.Test" }],
  });
  assert.deepEqual(live, {
    managed: {
      name: "*.shop.test.",
      type: "CNAME",
      ttl: 60,
      values: ["www.shop.test."],
      storedValues: ["WWW.Shop.Test"],
    },
  });
  const plain = normaliseLiveSet("shop.test.", {
    Name: "a.shop.test.",
    Type: "A",
    TTL: 300,
    ResourceRecords: [{ Value: "192.0.2.2" }, { Value: "192.0.2.1" }],
  });
  assert.deepEqual(plain, {
    managed: { name: "a.shop.test.", type: "A", ttl: 300, values: ["192.0.2.1", "192.0.2.2"] },
  });
});

Deno.test("normaliseLiveSet() marks apex SOA/NS, alias and routing-policy sets unmanaged", () => {
  const reason = (set: Parameters<typeof normaliseLiveSet>[1]) => {
    const live = normaliseLiveSet("shop.test.", set);
    return "unmanaged" in live ? live.unmanaged.reason : "managed";
  };
  assert.equal(reason({ Name: "shop.test.", Type: "SOA", TTL: 900 }), "apex-soa");
  assert.equal(reason({ Name: "shop.test.", Type: "NS", TTL: 172800 }), "apex-ns");
  assert.equal(
    reason({ Name: "sub.shop.test.", Type: "NS", TTL: 300, ResourceRecords: [{ Value: "a." }] }),
    "managed",
  );
  assert.equal(
    reason({
      Name: "cdn.shop.test.",
      Type: "A",
      AliasTarget: { HostedZoneId: "Z1", DNSName: "x.", EvaluateTargetHealth: false },
    }),
    "alias",
  );
  assert.equal(
    reason({
      Name: "w.shop.test.",
      Type: "A",
      SetIdentifier: "blue",
      Weight: 10,
      TTL: 60,
      ResourceRecords: [{ Value: "192.0.2.1" }],
    }),
    "routing-policy",
  );
  assert.equal(
    reason({
      Name: "x.shop.test.",
      Type: "LOC" as "A",
      TTL: 60,
      ResourceRecords: [{ Value: "1 2 3" }],
    }),
    "unsupported-type",
  );
});

Deno.test("bareId() strips Route 53's type prefixes", () => {
  assert.equal(bareId("/hostedzone/Z123"), "Z123");
  assert.equal(bareId("/change/C9"), "C9");
  assert.equal(bareId("Z123"), "Z123");
});

Deno.test("createHostedZone() tells onCall (the metrics) of each attempt, like every other call", async () => {
  await withSyncEnv({}, async ({ api }) => {
    const seen: string[] = [];
    const counted = {
      ...api,
      onCall: (op: string, outcome: string) => seen.push(`${op} ${outcome}`),
    };
    await createHostedZone(counted, "counted.test.", { callerReference: () => "ref-1" });
    assert.deepEqual(seen, ["CreateHostedZone ok"]);
    seen.length = 0;
    // The same reference again: Route 53 answers 409, the zone is then looked up by name.
    await createHostedZone(counted, "counted.test.", { callerReference: () => "ref-1" });
    assert.deepEqual(seen, [
      "CreateHostedZone error",
      "ListHostedZonesByName ok",
      "GetHostedZone ok",
    ]);
  });
});
