/**
 * End to end, what a push tells the customer: the note the operator left for them, the
 * name servers of the zone the push created with its changed records, and that a push
 * to a branch that is not deployed queues nothing.
 */
import assert from "node:assert/strict";
import { createWorld } from "../testing/world.ts";

const ZONE = `$TTL 300
@        IN A     192.0.2.10
www      IN A     192.0.2.1
`;

Deno.test("a push shows the customer's note, the new zone's name servers and its changed records", async (t) => {
  const notes = await Deno.makeTempDir({ prefix: "dnsapi-notes-" });
  await Deno.writeTextFile(`${notes}/alice`, "you are a sponsored account\n");
  const world = await createWorld({ env: { NOTES_ROOT: notes, DNSAPI_SSH_HOST: "dns.example" } });
  try {
    await world.addUser("alice");
    const clone = await world.clone("alice");
    const worker = world.startWorker();
    await worker.waitForEvent((e) => e.event === "started");

    await t.step(
      "the first push of a zone file names its name servers and its records",
      async () => {
        await world.commit(clone, { "zones/shop.test": ZONE }, "first zone");
        const push = await world.push(clone, undefined, { DNS_API_HOOK_WAIT: "60" });
        assert.equal(push.code, 0, push.output);
        assert.match(push.output, /^remote: dns-api: note: you are a sponsored account\s*$/m);
        assert.match(push.output, /^remote: dns-api: shop\.test: \+2 ~0 -0\s*$/m);
        const all = await world.recordSets("shop.test");
        const ns = all?.find((s) => s.name === "shop.test." && s.type === "NS")?.values ?? [];
        assert.equal(ns.length, 4, JSON.stringify(all));
        const said = /^remote: dns-api: set these at your registrar for shop\.test: (.+?)\s*$/m
          .exec(push.output);
        assert.ok(said, push.output);
        assert.deepEqual(
          said[1]?.split(", ").map((n) => n.replace(/\.$/, "")).sort(),
          ns.map((n) => n.replace(/\.$/, "")).sort(),
        );
        assert.match(push.output, /^remote: dns-api: {3}\+ shop\.test\. 300 A 192\.0\.2\.10\s*$/m);
        assert.match(
          push.output,
          /^remote: dns-api: {3}\+ www\.shop\.test\. 300 A 192\.0\.2\.1\s*$/m,
        );
        assert.match(push.output, new RegExp(`^remote: dns-api: job ${push.uuid} succeeded`, "m"));
      },
    );

    await t.step(
      "a push to another branch says it is not deployed and queues nothing",
      async () => {
        await world.commit(clone, { "zones/shop.test": `${ZONE}api IN A 192.0.2.5\n` }, "wip");
        const push = await world.push(clone, ["origin", "HEAD:feature"]);
        assert.equal(push.code, 0, push.output);
        assert.equal(push.uuid, null, push.output);
        assert.match(
          push.output,
          /^remote: dns-api: not deployed: only `main` is deployed; nothing was queued\s*$/m,
        );
        assert.equal(await world.redis.llen(`${world.prefix}pending:alice`), 0);
      },
    );

    await t.step(
      "with no worker running the push says it waits for one, and where to read the log",
      async () => {
        worker.kill("SIGTERM");
        await worker.status;
        await world.commit(clone, { "zones/shop.test": `${ZONE}api IN A 192.0.2.5\n` }, "later");
        const push = await world.push(clone, undefined, { DNS_API_HOOK_WAIT: "1" });
        assert.equal(push.code, 0, push.output);
        assert.ok(push.uuid, push.output);
        assert.match(push.output, /^remote: dns-api: queued, waiting for a worker\s*$/m);
        assert.match(
          push.output,
          new RegExp(
            `^remote: dns-api: read the result later with: ssh git@dns\\.example logs ${push.uuid}`,
            "m",
          ),
        );
      },
    );
  } finally {
    await world.close();
    await Deno.remove(notes, { recursive: true });
  }
});

Deno.test("with DNSAPI_DELEGATION_SET_ID a new zone gets the set's name servers, told at push and by `nameservers`", async () => {
  const servers = ["ns1.dns-api.test", "ns2.dns-api.test", "ns3.dns-api.test", "ns4.dns-api.test"];
  const world = await createWorld({
    env: { DNSAPI_DELEGATION_SET_ID: "N1PA6795SAMPLE" },
    route53: { delegationSets: { N1PA6795SAMPLE: servers } },
  });
  try {
    await world.addUser("alice");
    const clone = await world.clone("alice");
    const worker = world.startWorker();
    await worker.waitForEvent((e) => e.event === "started");
    await world.commit(clone, { "zones/shop.test": ZONE }, "first zone");
    const push = await world.push(clone, undefined, { DNS_API_HOOK_WAIT: "60" });
    assert.equal(push.code, 0, push.output);
    const said = /^remote: dns-api: set these at your registrar for shop\.test: (.+?)\s*$/m
      .exec(push.output);
    assert.ok(said, push.output);
    assert.deepEqual(said[1]?.split(", ").map((n) => n.replace(/\.$/, "")), servers);
    const all = await world.recordSets("shop.test");
    const ns = all?.find((s) => s.name === "shop.test." && s.type === "NS")?.values ?? [];
    assert.deepEqual(ns, servers.map((n) => `${n}.`));
    const asked = await world.cli(["customer", "alice", "--", "nameservers", "shop.test"]);
    assert.equal(asked.code, 0, asked.stderr);
    assert.match(asked.stdout, new RegExp(`set these at your registrar: ${servers.join(" ")}`));
    worker.kill("SIGTERM");
    await worker.status;
  } finally {
    await world.close();
  }
});
