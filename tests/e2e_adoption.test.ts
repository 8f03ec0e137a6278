/**
 * End to end, hosted zones nobody recorded for the customer, and the per-customer zone
 * limits (docs/design.md, "Safety rules"): a zone the operator made in the account is
 * refused and untouched, with nothing of it in the customer's log, until the operator
 * assigns it with `domain assign`; `domain list` and `domain release` show and forget
 * rows; one push creates at most DNSAPI_MAX_NEW_ZONES_PER_PUSH zones and an account holds
 * at most DNSAPI_MAX_ZONES_PER_USER domains, the rest refused by name with the limit.
 */
import assert from "node:assert/strict";
import { ChangeResourceRecordSetsCommand } from "@aws-sdk/client-route-53";
import { createTestZone, localClient } from "../testing/route53_local/fixture.ts";
import { createWorld, sets, type World } from "../testing/world.ts";

/** Waits for the result in the push itself, so its output holds the per-zone lines. */
const WAIT = { DNS_API_HOOK_WAIT: "60" };

async function pushAndWait(world: World, clone: string) {
  const push = await world.push(clone, ["origin", "main"], WAIT);
  assert.equal(push.code, 0, push.output);
  assert.ok(push.uuid, `no queued line in:\n${push.output}`);
  return { output: push.output, job: await world.waitFinal(push.uuid) };
}

function messages(job: { log: { message: string }[] }): string {
  return job.log.map((l) => l.message).join("\n");
}

const OPERATOR_SETS = [
  { name: "ops.test.", type: "TXT", ttl: 60, values: ['"operator-only"'] },
];

Deno.test("a zone nobody recorded as the customer's is refused until assigned; limits refuse zones by name", async (t) => {
  const world = await createWorld({ env: { DNSAPI_MAX_ZONES_PER_USER: "12" } });
  const client = localClient(world.route53.url);
  try {
    await world.addUser("bob");
    await world.addUser("carol");
    const worker = world.startWorker();
    await worker.waitForEvent((e) => e.event === "started");
    const bob = await world.clone("bob");
    const opsId = await createTestZone(client, "ops.test");
    await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: opsId,
        ChangeBatch: {
          Changes: OPERATOR_SETS.map((s) => ({
            Action: "CREATE",
            ResourceRecordSet: {
              Name: s.name,
              Type: "TXT",
              TTL: s.ttl,
              ResourceRecords: s.values.map((Value) => ({ Value })),
            },
          })),
        },
      }),
    );
    const bobOps = sets([{ name: "www.ops.test.", type: "A", ttl: 300, values: ["192.0.2.7"] }]);

    await t.step(
      "the pre-created zone is refused, untouched, and absent from the log",
      async () => {
        await world.commit(bob, {
          "zones/ops.test": "www 300 IN A 192.0.2.7\n",
          "zones/bob.test": "www 300 IN A 192.0.2.8\n",
        });
        const { output, job } = await pushAndWait(world, bob);
        assert.equal(job.status, "failed", JSON.stringify(job));
        const reason = "ops.test: refused: ops.test already exists in our DNS account and is not " +
          "recorded as yours; contact support to have it assigned";
        assert.ok(messages(job).split("\n").includes(reason), messages(job));
        assert.ok(output.includes(`remote: dns-api: ${reason}`), output);
        assert.match(messages(job), /^bob\.test: \+1 ~0 -0$/m);
        assert.doesNotMatch(messages(job) + output, /operator-only/);
        assert.deepEqual(await world.managedSets("ops.test"), sets(OPERATOR_SETS));
      },
    );

    await t.step("domain list shows bob's one domain", async () => {
      const listed = await world.cli(["domain", "list", "--user", "bob"]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /^DOMAIN +OWNER +HOSTED ZONE +SYNCED COMMIT$/m);
      assert.match(listed.stdout, /^bob\.test +bob +\S+ +[0-9a-f]{12}$/m);
      assert.doesNotMatch(listed.stdout, /ops\.test/);
    });

    await t.step(
      "domain assign shows the first sync's plan, then the next push syncs it",
      async () => {
        const assigned = await world.cli(["domain", "assign", "ops.test", "bob"]);
        assert.equal(assigned.code, 0, assigned.stderr + assigned.stdout);
        assert.match(
          assigned.stdout,
          /^the first sync of zones\/ops\.test will make these changes:$/m,
        );
        assert.match(assigned.stdout, /^ops\.test: \+1 ~0 -1$/m);
        assert.match(assigned.stdout, /^\+ www\.ops\.test\. 300 A 192\.0\.2\.7$/m);
        assert.match(assigned.stdout, /^- ops\.test\. 60 TXT "operator-only"$/m);
        assert.match(
          assigned.stdout,
          new RegExp(`^assigned ops\\.test to bob \\(hosted zone ${opsId}\\)`, "m"),
        );
        assert.deepEqual(
          await world.managedSets("ops.test"),
          sets(OPERATOR_SETS),
          "assign changes nothing",
        );

        const json = await world.cli(["domain", "list", "--json"]);
        const rows = JSON.parse(json.stdout) as {
          name: string;
          owner: string;
          hostedZoneId: string;
        }[];
        assert.deepEqual(rows.map((r) => [r.name, r.owner]), [["bob.test", "bob"], [
          "ops.test",
          "bob",
        ]]);
        assert.equal(rows[1]?.hostedZoneId, opsId);

        await world.commit(bob, {});
        const { job } = await pushAndWait(world, bob);
        assert.equal(job.status, "succeeded", messages(job));
        assert.match(messages(job), /^ops\.test: \+1 ~0 -1$/m);
        assert.deepEqual(await world.managedSets("ops.test"), bobOps);
      },
    );

    await t.step("domain release forgets the row and leaves the zone and its records", async () => {
      const released = await world.cli(["domain", "release", "ops.test"]);
      assert.equal(released.code, 0, released.stderr);
      assert.match(released.stdout, /^released ops\.test from bob: /m);
      assert.match(
        released.stdout,
        new RegExp(`^hosted zone ${opsId} and its 3 record set\\(s\\) stay in Route 53`, "m"),
      );
      assert.match(released.stdout, new RegExp(`domain assign ops\\.test USER --zone-id ${opsId}`));
      const listed = await world.cli(["domain", "list"]);
      assert.doesNotMatch(listed.stdout, /ops\.test/);
      assert.deepEqual(await world.managedSets("ops.test"), bobOps, "the records stay");

      await world.commit(bob, { "zones/ops.test": "www 300 IN A 192.0.2.99\n" });
      const { job } = await pushAndWait(world, bob);
      assert.match(
        messages(job),
        /^ops\.test: refused: ops\.test already exists in our DNS account/m,
      );
      assert.deepEqual(
        await world.managedSets("ops.test"),
        bobOps,
        "a released zone is not retaken",
      );
      const again = await world.cli(["domain", "release", "ops.test"]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /no domain of that name is recorded/);
    });

    await t.step(
      "12 new zones in one push: 10 are created, 2 refused by name with the limit",
      async () => {
        const carol = await world.clone("carol");
        const names = Array.from({ length: 12 }, (_, i) => `c${String(i).padStart(2, "0")}.test`);
        await world.commit(
          carol,
          Object.fromEntries(names.map((n) => [`zones/${n}`, "www 300 IN A 192.0.2.1\n"])),
        );
        const { output, job } = await pushAndWait(world, carol);
        assert.equal(job.status, "failed");
        for (const zone of ["c10.test", "c11.test"]) {
          const line = `${zone}: refused: at most 10 new domains are set up per push`;
          assert.ok(messages(job).includes(line), messages(job));
          assert.ok(output.includes(`remote: dns-api: ${line}`), output);
          assert.equal(await world.recordSets(zone), null, `no hosted zone for ${zone}`);
        }
        for (const zone of names.slice(0, 10)) {
          assert.match(messages(job), new RegExp(`^${zone.replace(".", "\\.")}: \\+1 ~0 -0$`, "m"));
        }

        await world.commit(carol, {});
        const next = await pushAndWait(world, carol);
        assert.equal(next.job.status, "succeeded", messages(next.job));
        assert.match(messages(next.job), /^c10\.test: \+1 ~0 -0$/m);
        assert.match(messages(next.job), /^c11\.test: \+1 ~0 -0$/m);
      },
    );

    await t.step(
      "a user at the zone limit is refused a new domain, by name, with the limit",
      async () => {
        const carol = `${world.root}/clones/carol`;
        await world.commit(carol, { "zones/c12.test": "www 300 IN A 192.0.2.1\n" });
        const { output, job } = await pushAndWait(world, carol);
        assert.equal(job.status, "failed");
        const line = "c12.test: refused: your account holds 12 domains, its limit is 12; " +
          "contact support to raise the limit";
        assert.ok(messages(job).split("\n").includes(line), messages(job));
        assert.ok(output.includes(`remote: dns-api: ${line}`), output);
        assert.equal(await world.recordSets("c12.test"), null);
      },
    );
  } finally {
    client.destroy();
    await world.close();
  }
});
