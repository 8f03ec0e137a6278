import assert from "node:assert/strict";
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { freePort } from "../testing/services.ts";
import { createWorld } from "../testing/world.ts";
import { parseZone } from "../lib/zones.ts";

Deno.test("the worker's /metrics counts a finished job and /healthz reports Redis and MySQL", async () => {
  const world = await createWorld();
  try {
    await world.addUser("mia");
    const clone = await world.clone("mia");
    await world.commit(clone, { "zones/metrics.test": "$TTL 300\n@ IN A 192.0.2.77\n" });
    const port = freePort();
    const worker = world.startWorker({ env: { METRICS_PORT: String(port) } });
    await worker.waitForEvent((e) => e.event === "started");
    const push = await world.push(clone);
    assert.ok(push.uuid, push.output);
    const job = await world.waitFinal(push.uuid);
    assert.equal(job.status, "succeeded");
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /^dnsapi_jobs_total\{outcome="succeeded"\} 1$/m);
    assert.match(metrics, /^dnsapi_sync_duration_seconds_count 1$/m);
    assert.match(
      metrics,
      /^dnsapi_route53_calls_total\{operation="ChangeResourceRecordSets",outcome="ok"\} 1$/m,
    );
    assert.match(
      metrics,
      /^dnsapi_route53_calls_total\{operation="CreateHostedZone",outcome="ok"\} 1$/m,
    );
    assert.match(metrics, /^dnsapi_queue_depth 0$/m);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    const report = await health.json();
    assert.equal(health.status, 200, JSON.stringify(report));
    assert.equal(report.checks.redis.ok, true);
    assert.equal(report.checks.mysql.ok, true);
    assert.equal(report.checks.schema.ok, true);
    assert.equal(report.checks.loop.ok, true);
    worker.kill("SIGTERM");
    assert.equal((await worker.status).code, 0);
  } finally {
    await world.close();
  }
});

Deno.test("the worker names a busy METRICS_PORT as such and exits", async () => {
  const world = await createWorld();
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    const worker = world.startWorker({ env: { METRICS_PORT: String(port) } });
    assert.equal((await worker.status).code, 1);
    assert.match(worker.output(), new RegExp(`^run: METRICS_PORT ${port} is in use: `, "m"));
    assert.doesNotMatch(worker.output(), /\n\s+at /, "no stack trace");
  } finally {
    taken.close();
    await world.close();
  }
});

Deno.test("export ZONE writes a file that parses back to the same record sets and lists aliases as comments", async () => {
  const world = await createWorld();
  try {
    await world.addUser("eve");
    const clone = await world.clone("eve");
    const zoneText = [
      "$TTL 300",
      "@ IN A 192.0.2.1",
      "@ IN MX 10 mail",
      '* 60 IN TXT "wild; card" "second string"',
      "mail IN AAAA 2001:DB8::0:1",
      "www IN CNAME @",
      `dkim._domainkey IN TXT ( "${"k".repeat(255)}"\n  "${"k".repeat(45)}" )`,
      "_sip._udp IN SRV 0 5 5060 sip",
      "sip IN A 192.0.2.9",
      '@ IN CAA 0 issue "letsencrypt.org"',
      "",
    ].join("\n");
    await world.commit(clone, { "zones/export.test": zoneText });
    // No worker runs here: the push only queues; `sync` does the work in this process.
    const push = await world.push(clone);
    assert.equal(push.code, 0, push.output);
    const sync = await world.cli(["sync", "--user", "eve"]);
    assert.equal(sync.code, 0, sync.stdout + sync.stderr);
    // An alias set made outside the worker: export must mention it, not drop it silently.
    const before = await world.cli(["export", "export.test"]);
    const zoneId = /hosted zone (Z[A-Z0-9]+)/.exec(before.stdout)?.[1];
    assert.ok(zoneId, before.stdout + before.stderr);
    const client = new Route53Client({
      endpoint: world.route53.url,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    try {
      await client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Changes: [{
              Action: "CREATE",
              ResourceRecordSet: {
                Name: "alias.export.test.",
                Type: "A",
                AliasTarget: {
                  HostedZoneId: zoneId,
                  DNSName: "sip.export.test.",
                  EvaluateTargetHealth: false,
                },
              },
            }],
          },
        }),
      );
    } finally {
      client.destroy();
    }
    const exported = await world.cli(["export", "export.test"]);
    assert.equal(exported.code, 0, exported.stderr);
    // issue 13: the alias is written in cli53's syntax, so committing the export keeps it
    assert.match(
      exported.stdout,
      /^alias\.export\.test\. AWS ALIAS A sip\.export\.test\. \$self false$/m,
    );
    const fromFile = parseZone(
      zoneText + "\nalias AWS ALIAS A sip $self false\n",
      { zone: "export.test" },
    );
    const fromExport = parseZone(exported.stdout, { zone: "export.test" });
    assert.deepEqual(fromExport.errors, []);
    assert.deepEqual(fromExport.rrsets, fromFile.rrsets);
  } finally {
    await world.close();
  }
});
