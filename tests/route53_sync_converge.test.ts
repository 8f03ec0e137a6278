import assert from "node:assert/strict";
import { ChangeResourceRecordSetsCommand } from "@aws-sdk/client-route-53";
import { assertConverges, newZone, parse, statsDelta, withSyncEnv } from "./route53_sync_env.ts";
import { formatPlan } from "../lib/route53.ts";
import { listRecordSets } from "../lib/route53.ts";
import { UnsafePlanError } from "../lib/route53.ts";
import { planZone, syncZone } from "../lib/route53.ts";

const ZONE = "shop.test.";

Deno.test("syncZone() converges on wildcards and escaped names", async () => {
  await withSyncEnv({}, async ({ api }) => {
    const zoneId = await newZone(api, ZONE);
    const desired = parse(
      [
        "$TTL 300",
        "* A 192.0.2.1",
        "*.dev A 192.0.2.2",
        "odd\\032name A 192.0.2.3",
        "a\\.b A 192.0.2.4",
        "slash/at@ A 192.0.2.5",
        "caf\\195\\169 A 192.0.2.6",
        "_sip._tcp SRV 10 5 5060 sip.shop.test.",
      ].join("\n"),
      ZONE,
    );
    assert.equal(desired.length, 7);
    await assertConverges(api, ZONE, zoneId, desired);
  });
});

Deno.test("syncZone() converges on TXT with quotes, escapes and strings over 255", async () => {
  await withSyncEnv({}, async ({ api }) => {
    const zoneId = await newZone(api, ZONE);
    const long = `"${"a".repeat(255)}" "${"b".repeat(255)}" "${"c".repeat(100)}"`;
    const desired = parse(
      [
        "$TTL 300",
        `long TXT ${long}`,
        'esc TXT "semi;colon" "quote\\"inside" "back\\\\slash" "tab\\009byte\\255"',
        'spf TXT "v=spf1 include:_spf.shop.test ~all"',
        'multi TXT "one" ',
        'multi TXT "two"',
        '@ CAA 0 issue "ca.shop.test"',
      ].join("\n"),
      ZONE,
    );
    await assertConverges(api, ZONE, zoneId, desired);
  });
});

Deno.test("syncZone() converges on upper-case input", async () => {
  await withSyncEnv({}, async ({ api }) => {
    const zoneId = await newZone(api, ZONE);
    const desired = parse(
      [
        "$ORIGIN SHOP.TEST.",
        "$TTL 300",
        "WWW IN A 192.0.2.1",
        "Mail IN MX 10 MX1.Shop.Test.",
        "Alias IN CNAME WWW.SHOP.TEST.",
        "V6 IN AAAA 2001:DB8:0:0::A",
      ].join("\n"),
      ZONE,
    );
    await assertConverges(api, ZONE, zoneId, desired);
  });
});

Deno.test("syncZone() converges on a set of 400 values in one request", async () => {
  await withSyncEnv({}, async ({ api, server }) => {
    const zoneId = await newZone(api, ZONE);
    const lines = ["$TTL 60"];
    for (let i = 0; i < 400; i++) lines.push(`many A 10.0.${Math.floor(i / 200)}.${i % 200}`);
    const desired = parse(lines.join("\n"), ZONE);
    assert.equal(desired[0]?.values.length, 400);
    const before = server.stats();
    const result = await assertConverges(api, ZONE, zoneId, desired);
    assert.equal(result.batches.length, 1);
    assert.equal(statsDelta(before, server.stats()).ChangeResourceRecordSets, 1);
  });
});

Deno.test("syncZone() replaces an A set by a CNAME in one request, delete first", async () => {
  await withSyncEnv({}, async ({ api }) => {
    const zoneId = await newZone(api, ZONE);
    await assertConverges(
      api,
      ZONE,
      zoneId,
      parse("$TTL 300\nwww A 192.0.2.1\nwww A 192.0.2.2\napp A 192.0.2.9", ZONE),
    );
    const result = await assertConverges(
      api,
      ZONE,
      zoneId,
      parse("$TTL 300\nwww CNAME app.shop.test.\napp A 192.0.2.9", ZONE),
      "job-2",
    );
    assert.equal(result.batches.length, 1);
    assert.deepEqual(
      result.batches[0]?.changes.map((c) => `${c.action} ${c.set.name} ${c.set.type}`),
      ["DELETE www.shop.test. A", "CREATE www.shop.test. CNAME"],
    );
    assert.match(result.batches[0]?.comment ?? "", /job-2/);
  });
});

Deno.test("syncZone() leaves an alias set made outside alone and reports it", async () => {
  await withSyncEnv({}, async ({ api, client }) => {
    const zoneId = await newZone(api, ZONE);
    const desired = parse("$TTL 300\nwww A 192.0.2.1\nold A 192.0.2.2", ZONE);
    await assertConverges(api, ZONE, zoneId, desired);
    await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [{
            Action: "CREATE",
            ResourceRecordSet: {
              Name: "cdn.shop.test.",
              Type: "A",
              AliasTarget: {
                HostedZoneId: zoneId,
                DNSName: "www.shop.test.",
                EvaluateTargetHealth: false,
              },
            },
          }],
        },
      }),
    );
    const next = parse("$TTL 300\nwww A 192.0.2.1", ZONE);
    const result = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: next,
      previous: null,
      jobId: "job-2",
    });
    assert.deepEqual(result.plan.changes.map((c) => c.kind), ["delete"]);
    assert.deepEqual(
      result.plan.unmanaged.map((u) => `${u.name} ${u.type} ${u.reason}`).sort(),
      ["cdn.shop.test. A alias", "shop.test. NS apex-ns", "shop.test. SOA apex-soa"],
    );
    assert.match(formatPlan(result.plan), /= unmanaged cdn\.shop\.test\. A \(alias\)/);
    const live = await listRecordSets(api, zoneId, ZONE);
    assert.ok(live.unmanaged.some((u) => u.name === "cdn.shop.test." && u.reason === "alias"));
    const again = await planZone(api, { zone: ZONE, zoneId, desired: next, previous: null });
    assert.deepEqual(again.plan.changes, []);
  });
});

Deno.test("syncZone() refuses a mass delete, changes nothing, then applies it when forced", async () => {
  await withSyncEnv({}, async ({ api, server }) => {
    const zoneId = await newZone(api, ZONE);
    const lines = ["$TTL 300"];
    for (let i = 0; i < 20; i++) lines.push(`h${i} A 192.0.2.${i}`);
    await assertConverges(api, ZONE, zoneId, parse(lines.join("\n"), ZONE));
    const truncated = parse(lines.slice(0, 11).join("\n"), ZONE);
    const before = server.stats();
    await assert.rejects(
      syncZone(api, { zone: ZONE, zoneId, desired: truncated, previous: null, jobId: "j" }),
      (error: unknown) => {
        assert.ok(error instanceof UnsafePlanError);
        assert.equal(error.deletes, 10);
        assert.match(error.message, /10 of 20 record sets would be deleted.*force/);
        return true;
      },
    );
    assert.equal(statsDelta(before, server.stats()).ChangeResourceRecordSets, undefined);
    assert.equal((await listRecordSets(api, zoneId, ZONE)).sets.length, 20);
    const forced = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: truncated,
      previous: null,
      jobId: "j",
      force: true,
    });
    assert.equal(forced.plan.changes.length, 10);
    const again = await planZone(api, { zone: ZONE, zoneId, desired: truncated, previous: null });
    assert.deepEqual(again.plan.changes, []);
  });
});

Deno.test("syncZone() waits for INSYNC when asked, and reports a timeout", async () => {
  await withSyncEnv({ insyncAfterMs: 60_000 }, async ({ api }) => {
    const zoneId = await newZone(api, ZONE);
    const result = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: parse("$TTL 300\nwww A 192.0.2.1", ZONE),
      previous: null,
      jobId: "j",
      wait: { timeoutMs: 30, intervalMs: 10 },
    });
    assert.equal(result.insync, false);
    assert.ok((result.calls.GetChange ?? 0) >= 1);
  });
  await withSyncEnv({ insyncAfterMs: 0 }, async ({ api }) => {
    const zoneId = await newZone(api, ZONE);
    const result = await syncZone(api, {
      zone: ZONE,
      zoneId,
      desired: parse("$TTL 300\nwww A 192.0.2.1", ZONE),
      previous: null,
      jobId: "j",
      wait: { timeoutMs: 10_000, intervalMs: 10 },
    });
    assert.equal(result.insync, true);
  });
});

Deno.test("syncZone() survives a change whose response was lost and whose retry meets itself", async () => {
  await withSyncEnv({ sdkMaxAttempts: 1 }, async ({ api, client, server }) => {
    const zoneId = await newZone(api, ZONE);
    let dropped = false;
    // The server applies the batch; the caller sees a reset connection and retries it.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        if (context.commandName === "ChangeResourceRecordSetsCommand" && !dropped) {
          dropped = true;
          throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
        }
        return output;
      },
      { step: "initialize", name: "dropFirstChangeResponse" },
    );
    const desired = parse("$TTL 300\nwww A 192.0.2.1\napi A 192.0.2.2", ZONE);
    const before = server.stats();
    const result = await syncZone(api, { zone: ZONE, zoneId, desired, previous: null, jobId: "j" });
    assert.equal(dropped, true);
    assert.equal(result.fellBack, true);
    assert.match(result.driftMessage ?? "", /already exists/);
    assert.deepEqual(result.plan.changes, []);
    assert.deepEqual(statsDelta(before, server.stats()), {
      ListResourceRecordSets: 2,
      ChangeResourceRecordSets: 2,
    });
    await assertConverges(api, ZONE, zoneId, desired);
  });
});
