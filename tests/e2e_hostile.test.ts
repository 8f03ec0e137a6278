/**
 * End to end, careless and hostile customers (docs/design.md, "Safety rules"): every case ends in a final status with a reason, never touches another
 * customer's zones, never leaks files from outside the repository, and never stops
 * the worker loop.
 *
 * The repositories' pre-receive hooks are removed here on purpose: pre-receive is a
 * courtesy that never blocks a push by its own failure (and a worker host may take
 * jobs from anywhere that can write to Redis), so the worker must hold on its own.
 */
import assert from "node:assert/strict";
import { createQueue } from "../lib/queue.ts";
import { createWorld, sets, type World } from "../testing/world.ts";

const PASSWD_LINE = /root:x?:0:0/;

async function withoutPreReceive(world: World, user: string): Promise<void> {
  await Deno.remove(`${world.reposRoot}/${user}/hooks/pre-receive`).catch(() => {});
}

async function pushAndWait(world: World, clone: string) {
  const push = await world.push(clone);
  assert.equal(push.code, 0, push.output);
  assert.ok(push.uuid, `no queued line in:\n${push.output}`);
  return await world.waitFinal(push.uuid);
}

function messages(job: { log: { message: string }[] }): string {
  return job.log.map((l) => l.message).join("\n");
}

Deno.test("hostile and careless input is refused with a reason and never reaches other customers", async (t) => {
  const world = await createWorld();
  try {
    for (const user of ["bob", "alice", "carol"]) {
      await world.addUser(user);
      await withoutPreReceive(world, user);
    }
    const worker = world.startWorker({ env: { DNSAPI_DENY_DOMAINS: "operator.test" } });
    await worker.waitForEvent((e) => e.event === "started");
    const bob = await world.clone("bob");
    const alice = await world.clone("alice");
    const bobSets = sets([
      { name: "bob.test.", type: "A", ttl: 300, values: ["192.0.2.50"] },
    ]);
    const bobSubSets = sets([
      { name: "sub.bobzone.test.", type: "A", ttl: 300, values: ["192.0.2.51"] },
    ]);
    const finals: string[] = [];

    await t.step("bob's domains are synced first", async () => {
      await world.commit(bob, {
        "zones/bob.test": "bob.test. 300 IN A 192.0.2.50\n",
        "zones/sub.bobzone.test": "sub.bobzone.test. 300 IN A 192.0.2.51\n",
      });
      const job = await pushAndWait(world, bob);
      assert.equal(job.status, "succeeded", JSON.stringify(job));
      assert.deepEqual(await world.managedSets("bob.test"), bobSets);
      assert.deepEqual(await world.managedSets("sub.bobzone.test"), bobSubSets);
    });

    await t.step(
      "another user's domain, its child, its parent and public suffixes are refused; the user's own zone still syncs",
      async () => {
        await world.commit(alice, {
          "zones/alice.test": "alice.test. 300 IN A 192.0.2.60\n",
          "zones/bob.test": "bob.test. 300 IN A 203.0.113.66\n",
          "zones/www.bob.test": "www.bob.test. 300 IN A 203.0.113.66\n",
          "zones/bobzone.test": "bobzone.test. 300 IN A 203.0.113.66\n",
          "zones/co.uk": "co.uk. 300 IN A 203.0.113.66\n",
          "zones/com": "com. 300 IN A 203.0.113.66\n",
        });
        const job = await pushAndWait(world, alice);
        finals.push(job.uuid);
        assert.equal(job.status, "failed", "a refused zone fails the job");
        const text = messages(job);
        for (const zone of ["bob.test", "www.bob.test", "bobzone.test", "co.uk", "com"]) {
          assert.match(text, new RegExp(`^${zone.replace(".", "\\.")}: refused: `, "m"), text);
        }
        assert.match(text, /^alice\.test: \+1 ~0 -0$/m, text);
        assert.deepEqual(
          await world.managedSets("alice.test"),
          sets([{ name: "alice.test.", type: "A", ttl: 300, values: ["192.0.2.60"] }]),
        );
        assert.deepEqual(await world.managedSets("bob.test"), bobSets, "bob's records untouched");
        assert.deepEqual(await world.managedSets("sub.bobzone.test"), bobSubSets);
        for (const zone of ["www.bob.test", "bobzone.test", "co.uk", "com"]) {
          assert.equal(await world.recordSets(zone), null, `no hosted zone created for ${zone}`);
        }
        // Refused files are refused again on every push until removed: remove them.
        await world.commit(alice, {
          "zones/bob.test": null,
          "zones/www.bob.test": null,
          "zones/bobzone.test": null,
          "zones/co.uk": null,
          "zones/com": null,
        });
      },
    );

    await t.step(
      "the whole Public Suffix List and the operator's reserved names are refused; names registered under a suffix sync",
      async () => {
        const refused = [
          "gouv.fr",
          "on.ca",
          "tokyo.jp",
          "ny.us",
          "github.io",
          "blogspot.com",
          "s3.amazonaws.com",
          "foo.ck",
          "operator.test",
          "www.operator.test",
        ];
        const files: Record<string, string | null> = {};
        for (const zone of refused) files[`zones/${zone}`] = `${zone}. 300 IN A 203.0.113.66\n`;
        files["zones/alice.github.io"] = "alice.github.io. 300 IN A 192.0.2.63\n";
        files["zones/www.ck"] = "www.ck. 300 IN A 192.0.2.64\n";
        await world.commit(alice, files);
        const job = await pushAndWait(world, alice);
        finals.push(job.uuid);
        assert.equal(job.status, "failed", "a refused zone fails the job");
        const text = messages(job);
        for (const zone of refused) {
          const why = zone.endsWith("operator.test") ? "reserved by the operator" : "public suffix";
          assert.match(
            text,
            new RegExp(`^${zone.replaceAll(".", "\\.")}: refused: .*${why}`, "m"),
            text,
          );
          assert.equal(await world.recordSets(zone), null, `no hosted zone created for ${zone}`);
        }
        assert.match(text, /^alice\.github\.io: \+1 ~0 -0$/m, text);
        assert.match(text, /^www\.ck: \+1 ~0 -0$/m, text);
        for (const zone of refused) files[`zones/${zone}`] = null;
        await world.commit(alice, files);
      },
    );

    await t.step(
      "a symlink to /etc/passwd is refused and its content appears nowhere in the logs",
      async () => {
        await Deno.symlink("/etc/passwd", `${alice}/zones/evil.test`);
        await Deno.symlink("../../../../../../../../etc/passwd", `${alice}/zones/evil2.test`);
        await world.commit(alice, { "zones/alice.test": "alice.test. 300 IN A 192.0.2.61\n" });
        const job = await pushAndWait(world, alice);
        finals.push(job.uuid);
        const text = messages(job);
        assert.equal(job.status, "failed", text);
        assert.match(text, /^evil\.test: not synced: /m, text);
        assert.match(text, /^evil2\.test: not synced: /m, text);
        assert.match(text, /^alice\.test: \+0 ~1 -0$/m, text);
        assert.equal(await world.recordSets("evil.test"), null);
        assert.equal(await world.recordSets("evil2.test"), null);
        await world.commit(alice, { "zones/evil.test": null, "zones/evil2.test": null });
      },
    );

    await t.step(
      "a 50 MB zone file is refused for its size while the other zones sync",
      async () => {
        const line = 'big.test. 300 IN TXT "' + "x".repeat(200) + '"\n';
        const big = line.repeat(Math.ceil(50 * 1024 * 1024 / line.length));
        await world.commit(alice, {
          "zones/big.test": big,
          "zones/alice.test": "alice.test. 300 IN A 192.0.2.62\n",
        });
        const job = await pushAndWait(world, alice);
        finals.push(job.uuid);
        const text = messages(job);
        assert.equal(job.status, "failed", text);
        assert.match(text, /^big\.test: not synced: /m, text);
        assert.match(text, /^alice\.test: \+0 ~1 -0$/m, text);
        assert.ok(text.length < 100_000, `the log stays small (${text.length} chars)`);
        assert.equal(await world.recordSets("big.test"), null);
        await world.commit(alice, { "zones/big.test": null });
      },
    );

    await t.step("a banned user's push fails with the reason and changes nothing", async () => {
      const carol = await world.clone("carol");
      const banned = await world.cli(["user", "ban", "carol"]);
      assert.equal(banned.code, 0, banned.stderr);
      await world.commit(carol, { "zones/carol.test": "carol.test. 300 IN A 192.0.2.70\n" });
      const job = await pushAndWait(world, carol);
      finals.push(job.uuid);
      assert.equal(job.status, "failed");
      assert.match(messages(job), /banned/, messages(job));
      assert.equal(await world.recordSets("carol.test"), null);
    });

    await t.step("an expired user's push fails with the reason and changes nothing", async () => {
      await world.addUser("heidi");
      await withoutPreReceive(world, "heidi");
      const heidi = await world.clone("heidi");
      const expired = await world.cli(["user", "expire", "heidi", "--at", "2020-01-01T00:00:00Z"]);
      assert.equal(expired.code, 0, expired.stderr);
      await world.commit(heidi, { "zones/heidi.test": "heidi.test. 300 IN A 192.0.2.71\n" });
      const job = await pushAndWait(world, heidi);
      finals.push(job.uuid);
      assert.equal(job.status, "failed");
      assert.match(messages(job), /expired/, messages(job));
      assert.equal(await world.recordSets("heidi.test"), null);
    });

    const queue = createQueue(world.redis, {
      reposRoot: world.reposRoot,
      prefix: world.prefix,
      legacyKey: world.legacyKey,
    });

    await t.step(
      "a queued job whose repo escapes with ../ is refused and never followed",
      async () => {
        const uuid = crypto.randomUUID();
        assert.ok(
          await queue.enqueue({
            uuid,
            user: "alice",
            repo: `${world.reposRoot}/alice/../bob`,
            queuedAt: new Date().toISOString(),
          }),
        );
        const job = await world.waitFinal(uuid);
        assert.equal(job.status, "failed");
        assert.match(messages(job), /^job refused: .*repo/m, messages(job));
        const invalid = await queue.recentInvalid(10);
        assert.ok(
          invalid.some((e) => JSON.stringify(e).includes(uuid)),
          `set aside with a reason: ${JSON.stringify(invalid)}`,
        );
        assert.deepEqual(await world.managedSets("bob.test"), bobSets);
      },
    );

    await t.step(
      "legacy HOOK:JOBS payloads: non-JSON and ../ are set aside, SADD and RPUSH jobs are synced",
      async () => {
        const before = (await queue.stats()).invalidPayloads;
        const escaping = crypto.randomUUID();
        await world.redis.rpush(world.legacyKey, "this is {not json");
        await world.redis.rpush(
          world.legacyKey,
          JSON.stringify({ uuid: escaping, user: "bob", repo: `${world.reposRoot}/../etc` }),
        );
        await world.commit(alice, { "zones/alice.test": "alice.test. 300 IN A 192.0.2.63\n" });
        const pushed = await world.git(["push", "-q", "origin", "main"], alice, {
          // The old hooks queued without a hook of ours: push with Redis unreachable for
          // the hook, then queue as the Perl hook (SADD) and the webhook (RPUSH) did.
          REDIS_URL: "redis://127.0.0.1:1",
        });
        assert.equal(pushed.code, 0, pushed.stderr);
        const viaSet = crypto.randomUUID();
        const viaList = crypto.randomUUID();
        const legacySet = `${world.legacyKey}:set`;
        // One key is either a set or a list; the list key is in use, so the set test
        // runs through a second worker setting below.
        await world.redis.rpush(
          world.legacyKey,
          JSON.stringify({ uuid: viaList, user: "alice", repo: `${world.reposRoot}/alice` }),
        );
        const listJob = await world.waitFinal(viaList);
        assert.equal(listJob.status, "succeeded", JSON.stringify(listJob));
        assert.deepEqual(
          await world.managedSets("alice.test"),
          sets([{ name: "alice.test.", type: "A", ttl: 300, values: ["192.0.2.63"] }]),
        );
        const after = (await queue.stats()).invalidPayloads;
        assert.ok(
          after >= before + 2,
          `non-JSON and ../ payloads set aside (${before} → ${after})`,
        );
        assert.equal(await world.redis.llen(world.legacyKey), 0, "nothing left behind");
        const invalid = JSON.stringify(await queue.recentInvalid(20));
        assert.ok(invalid.includes(escaping), `the ../ payload is set aside: ${invalid}`);
        assert.ok(invalid.includes("not JSON"), `the non-JSON payload is set aside: ${invalid}`);
        const refused = await world.waitFinal(escaping, 30_000);
        assert.equal(refused.status, "failed", "the refused legacy uuid still gets a final status");
        assert.match(messages(refused), /^job refused: /m, messages(refused));

        const setWorker = world.startWorker({ env: { DNSAPI_LEGACY_QUEUE: legacySet } });
        await world.commit(alice, { "zones/alice.test": "alice.test. 300 IN A 192.0.2.64\n" });
        const again = await world.git(["push", "-q", "origin", "main"], alice, {
          REDIS_URL: "redis://127.0.0.1:1",
        });
        assert.equal(again.code, 0, again.stderr);
        await world.redis.sadd(
          legacySet,
          JSON.stringify({ uuid: viaSet, user: "alice", repo: `${world.reposRoot}/alice` }),
        );
        const setJob = await world.waitFinal(viaSet);
        assert.equal(setJob.status, "succeeded", JSON.stringify(setJob));
        assert.deepEqual(
          await world.managedSets("alice.test"),
          sets([{ name: "alice.test.", type: "A", ttl: 300, values: ["192.0.2.64"] }]),
        );
        assert.equal(await world.redis.scard(legacySet), 0);
        setWorker.kill("SIGTERM");
        assert.equal((await setWorker.status).code, 0, setWorker.output());
        finals.push(viaList, viaSet);
      },
    );

    await t.step("the worker survived all of it, and no stored log holds /etc/passwd", async () => {
      // Still taking jobs after everything above.
      await world.commit(alice, { "zones/alice.test": "alice.test. 300 IN A 192.0.2.65\n" });
      const job = await pushAndWait(world, alice);
      assert.equal(job.status, "succeeded", JSON.stringify(job));
      finals.push(job.uuid);
      for (const uuid of finals) {
        const view = await world.logs(uuid);
        assert.ok(view, uuid);
        assert.doesNotMatch(JSON.stringify(view), PASSWD_LINE, `logs --json ${uuid}`);
      }
      // The command itself, as the customer's support would run it.
      for (const uuid of finals.slice(0, 2)) {
        const out = await world.cli(["logs", uuid, "--json"]);
        assert.equal(out.code, 0, out.stderr);
        assert.doesNotMatch(out.stdout, PASSWD_LINE);
      }
      assert.doesNotMatch(worker.output(), PASSWD_LINE, "nor does the operator log");
      assert.equal(
        worker.events().filter((e) => e.event === "started").length,
        1,
        "the worker never restarted",
      );
    });
  } finally {
    await world.close();
  }
});
