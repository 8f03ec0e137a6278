/**
 * syncUser() in process: a literal fake of the few Db methods the sync uses, a real git
 * repository in a temporary directory and the local Route 53 server.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Domain, User } from "../lib/db.ts";
import { UnrecoverableError } from "../lib/errors.ts";
import { ChangeResourceRecordSetsCommand } from "@aws-sdk/client-route-53";
import { createHostedZone, listRecordSets } from "../lib/route53.ts";
import {
  type SyncDb,
  syncUser,
  type UserSyncRequest,
  type UserSyncResult,
  type UserSyncSettings,
  type ZoneOutcome,
} from "../lib/sync.ts";
import { decideOwnership } from "../lib/zones.ts";
import { type SyncEnv, withSyncEnv } from "./route53_sync_env.ts";

const EPOCH = new Date(0);

/** The sync's Db as a few maps: users by status, domain rows by name. */
function fakeDb(users: Record<string, User["status"]>, rows: Domain[] = []) {
  const domains = new Map(rows.map((d) => [d.name, d]));
  const db: SyncDb = {
    getUser: (name) =>
      Promise.resolve(
        users[name] ? { name, status: users[name], expiresAt: null, createdAt: EPOCH } : null,
      ),
    getDomain: (name) => Promise.resolve(domains.get(name) ?? null),
    listDomains: (owner) => Promise.resolve([...domains.values()].filter((d) => d.owner === owner)),
    // Every row: the ownership rule ignores the rows that do not relate to the name.
    domainsRelatedTo: () => Promise.resolve([...domains.values()]),
    claimDomain(user, name) {
      const decision = decideOwnership(user, name, [...domains.values()]);
      if (decision.allowed && decision.claim) domains.set(decision.zone, row(decision.zone, user));
      return Promise.resolve(decision);
    },
    updateDomainAfterSync(name, update) {
      const d = domains.get(name);
      if (!d) return Promise.resolve(false);
      domains.set(name, {
        ...d,
        hostedZoneId: update.hostedZoneId ?? d.hostedZoneId,
        nameservers: update.nameservers ?? d.nameservers,
        lastSyncedCommit: update.lastSyncedCommit ?? d.lastSyncedCommit,
        lastFullSyncAt: update.fullSync ? new Date() : d.lastFullSyncAt,
      });
      return Promise.resolve(true);
    },
  };
  return { db, domains };
}

/** A domain row as a claim creates it. */
function row(name: string, owner: string): Domain {
  return {
    name,
    owner,
    hostedZoneId: null,
    nameservers: [],
    lastSyncedCommit: null,
    lastFullSyncAt: null,
    createdAt: EPOCH,
    updatedAt: EPOCH,
  };
}

interface Fixture extends SyncEnv {
  db: SyncDb;
  domains: Map<string, Domain>;
  /** Writes zone files (null deletes) in steve's repository and commits them. */
  commit(files: Record<string, string | null>): Promise<string>;
  sync(request?: Partial<UserSyncRequest>): Promise<UserSyncResult>;
}

/** Steve's repository (no commit yet), a fake Db and a fresh local Route 53. */
async function withFixture(
  options: {
    users?: Record<string, User["status"]>;
    rows?: Domain[];
    settings?: Partial<UserSyncSettings>;
  },
  fn: (f: Fixture) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi_sync_user_test_" });
  const repo = join(dir, "repos", "steve");
  const env = {
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "Steve",
    GIT_AUTHOR_EMAIL: "steve@example.test",
    GIT_COMMITTER_NAME: "Steve",
    GIT_COMMITTER_EMAIL: "steve@example.test",
  };
  const git = async (args: string[]) => {
    const out = await new Deno.Command("git", { args, cwd: repo, env, stdin: "null" }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    if (!out.success) {
      throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
    }
    return text;
  };
  await Deno.mkdir(join(repo, "zones"), { recursive: true });
  await git(["init", "-q", "--initial-branch=main"]);
  const { db, domains } = fakeDb(options.users ?? { steve: "active" }, options.rows);
  try {
    await withSyncEnv({}, (env) =>
      fn({
        ...env,
        db,
        domains,
        async commit(files) {
          for (const [name, text] of Object.entries(files)) {
            const path = join(repo, "zones", name);
            if (text === null) await Deno.remove(path);
            else await Deno.writeTextFile(path, text);
          }
          await git(["add", "-A"]);
          await git(["commit", "-q", "--allow-empty", "-m", "update"]);
          return await git(["rev-parse", "HEAD"]);
        },
        sync: (request = {}) =>
          syncUser(
            {
              db,
              api: env.api,
              settings: {
                reposRoot: join(dir, "repos"),
                workRoot: join(dir, "work"),
                zonesDir: "zones",
                ...options.settings,
              },
            },
            { user: "steve", jobId: crypto.randomUUID(), ...request },
          ),
      }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A zone file of `count` A records `h0`..`h<count-1>`. */
function hosts(count: number): string {
  return Array.from({ length: count }, (_, i) => `h${i} 300 IN A 192.0.2.${i + 1}\n`).join("");
}

const summaries = (result: UserSyncResult) => result.zones.map((z) => z.summary);
const messages = (result: UserSyncResult) => result.log.map((l) => l.message);

/** The reason of a `zone: refused: …` or `zone: would be refused: …` line. */
function reasonOf(summary: string): string {
  const m = /^[^:]+: (?:would be )?refused: (.*)$/.exec(summary);
  assert.ok(m?.[1], `not a refusal: ${summary}`);
  return m[1];
}

/** The one zone a sync reported. */
function onlyZone(result: UserSyncResult): ZoneOutcome {
  const [zone, ...more] = result.zones;
  assert.ok(zone && more.length === 0, summaries(result).join("\n"));
  return zone;
}

Deno.test("syncUser() creates the hosted zone of a new zone file and syncs its records", async () => {
  await withFixture({}, async ({ domains, api, commit, sync }) => {
    const head = await commit({ "shop.test": "www 300 IN A 192.0.2.1\n" });
    const result = await sync();
    assert.ok(result.ok, summaries(result).join("\n"));
    assert.equal(result.commit, head);
    assert.deepEqual(result.zones.map((z) => [z.zone, z.status, z.summary]), [
      ["shop.test", "synced", "shop.test: +1 ~0 -0"],
    ]);
    const stored = domains.get("shop.test");
    assert.equal(stored?.owner, "steve");
    assert.equal(stored?.lastSyncedCommit, head);
    assert.ok(stored?.hostedZoneId);
    assert.equal(stored.nameservers.length, 4);
    const live = await listRecordSets(api, stored.hostedZoneId, "shop.test.");
    assert.deepEqual(
      live.sets.filter((s) => s.type === "A").map((s) => [s.name, s.values]),
      [["www.shop.test.", ["192.0.2.1"]]],
    );
  });
});

Deno.test("syncUser() of an unchanged file makes no Route 53 call and changes no row", async () => {
  await withFixture({}, async ({ domains, server, commit, sync }) => {
    await commit({ "shop.test": "www 300 IN A 192.0.2.1\n" });
    await sync();
    const row = domains.get("shop.test");
    const before = server.stats();
    const again = await sync();
    assert.ok(again.ok);
    assert.deepEqual(again.zones, []);
    assert.ok(
      messages(again).includes("no zone file changed; nothing to do"),
      messages(again).join("\n"),
    );
    assert.deepEqual(server.stats(), before);
    assert.deepEqual(domains.get("shop.test"), row);
  });
});

Deno.test("syncUser() warns, with file and line, when the apex NS lines name servers Route 53 does not use, and names the ones to set", async () => {
  await withFixture({}, async ({ domains, commit, sync }) => {
    await commit({
      "shop.test": "$TTL 300\n@ NS ns1.old.example.\n@ NS ns2.old.example.\nwww A 192.0.2.1\n",
    });
    const result = await sync();
    assert.ok(result.ok, summaries(result).join("\n"));
    const nameservers = domains.get("shop.test")?.nameservers ?? [];
    assert.equal(nameservers.length, 4);
    const ns = result.log.filter((l) => l.message.includes("NS records"));
    assert.deepEqual(ns.map((l) => [l.level, l.zone, l.message]), [[
      "warn",
      "shop.test",
      "zones/shop.test:2: the apex NS records name ns1.old.example., ns2.old.example., which " +
      "are not among this zone's Route 53 name servers; apex NS records are not synced: set " +
      `${nameservers.join(", ")} at your registrar`,
    ]]);
  });
});

Deno.test("syncUser() says nothing of apex NS lines that name the zone's Route 53 name servers", async () => {
  await withFixture({}, async ({ domains, commit, sync }) => {
    await commit({ "shop.test": "$TTL 300\nwww A 192.0.2.1\n" });
    await sync();
    const nameservers = domains.get("shop.test")?.nameservers ?? [];
    assert.equal(nameservers.length, 4);
    const apex = nameservers.map((n) => `@ NS ${n}.\n`).join("");
    await commit({ "shop.test": `$TTL 300\nwww A 192.0.2.2\n${apex}` });
    const again = await sync();
    assert.ok(again.ok, summaries(again).join("\n"));
    assert.deepEqual(again.log.filter((l) => l.level === "warn"), []);
  });
});

Deno.test("syncUser() refuses another user's domain and still syncs the user's other zone", async () => {
  await withFixture(
    { rows: [row("taken.test", "ann")] },
    async ({ domains, server, commit, sync }) => {
      await commit({
        "shop.test": "www 300 IN A 192.0.2.1\n",
        "taken.test": "www 300 IN A 192.0.2.9\n",
      });
      const result = await sync();
      assert.equal(result.ok, false, "a refused zone fails the sync");
      const byZone = new Map(result.zones.map((z) => [z.zone, z]));
      assert.equal(byZone.get("taken.test")?.status, "refused");
      assert.match(
        byZone.get("taken.test")?.summary ?? "",
        /^taken\.test: refused: .*another account/,
      );
      assert.equal(byZone.get("shop.test")?.status, "synced");
      assert.equal(domains.get("taken.test")?.owner, "ann");
      assert.equal(domains.get("taken.test")?.hostedZoneId, null);
      assert.equal(server.stats().CreateHostedZone, 1, "only shop.test got a hosted zone");
    },
  );
});

Deno.test("syncUser() of a banned user throws UnrecoverableError and touches nothing", async () => {
  await withFixture({ users: { steve: "banned" } }, async ({ domains, server, commit, sync }) => {
    await commit({ "shop.test": "www 300 IN A 192.0.2.1\n" });
    await assert.rejects(() => sync(), (error) => {
      assert.ok(error instanceof UnrecoverableError, String(error));
      assert.match(error.message, /^Cannot sync: user steve is banned$/);
      return true;
    });
    assert.equal(domains.size, 0);
    assert.deepEqual(server.stats(), {});
  });
});

Deno.test("syncUser() of a repository with no commit yet syncs nothing and succeeds", async () => {
  await withFixture({}, async ({ sync }) => {
    const result = await sync();
    assert.ok(result.ok);
    assert.equal(result.commit, null);
    assert.deepEqual(result.zones, []);
    assert.deepEqual(messages(result), ["the repository has no commits yet; nothing to sync"]);
  });
});

Deno.test("a dry run plans a change and writes nothing: no claim, no hosted zone, no change", async () => {
  await withFixture({}, async ({ domains, server, commit, sync }) => {
    await commit({ "shop.test": hosts(3) });
    const created = await sync({ dryRun: true });
    assert.ok(created.ok);
    assert.deepEqual(summaries(created), [
      "shop.test: would create the hosted zone and 3 record set(s)",
    ]);
    assert.equal(domains.size, 0, "a dry run claims nothing");
    assert.equal(server.stats().CreateHostedZone, undefined);

    await sync();
    await commit({ "shop.test": hosts(4) });
    const row = domains.get("shop.test");
    const before = server.stats();
    const planned = await sync({ dryRun: true });
    assert.ok(planned.ok);
    assert.deepEqual(summaries(planned), ["shop.test: +1 ~0 -0 (incremental, dry run)"]);
    assert.deepEqual(server.stats(), before, "an incremental plan needs no Route 53 call");
    assert.deepEqual(domains.get("shop.test"), row);
  });
});

Deno.test("a dry run says 'would be refused' for a plan the safety gate refuses; sync refuses it with the same reason", async () => {
  await withFixture({}, async ({ domains, server, commit, sync }) => {
    await commit({ "shop.test": hosts(12) });
    await sync();
    const synced = domains.get("shop.test")?.lastSyncedCommit;
    await commit({ "shop.test": hosts(2) });

    const before = server.stats();
    const dry = await sync({ dryRun: true });
    assert.equal(dry.ok, false, "plan fails as the sync would");
    const zone = onlyZone(dry);
    assert.equal(zone.status, "refused");
    assert.match(zone.summary, /^shop\.test: would be refused: Cannot apply plan for shop\.test: /);
    assert.match(zone.summary, /10 of 12 record sets would be deleted/);
    assert.match(zone.summary, /`sync --user steve --force`/, "the refusal says how to force");
    assert.equal(zone.plan?.changes.filter((c) => c.kind === "delete").length, 10);
    assert.ok(messages(dry).includes("- h11.shop.test. 300 A 192.0.2.12"), "the plan is shown");
    assert.equal(statsDeltaChanges(before, server.stats()), 0);

    const real = await sync();
    assert.equal(onlyZone(real).status, "refused");
    assert.match(onlyZone(real).summary, /^shop\.test: refused: /);
    assert.equal(reasonOf(onlyZone(real).summary), reasonOf(zone.summary));
    assert.equal(statsDeltaChanges(before, server.stats()), 0, "nothing was deleted");
    assert.equal(domains.get("shop.test")?.lastSyncedCommit, synced);

    const forced = await sync({ force: true });
    assert.deepEqual(summaries(forced), ["shop.test: +0 ~0 -10"]);
  });
});

Deno.test("a dry run says 'would be refused' for another user's domain; sync refuses it with the same reason", async () => {
  await withFixture({ rows: [row("taken.test", "ann")] }, async ({ commit, sync }) => {
    await commit({ "taken.test": "www 300 IN A 192.0.2.9\n" });
    const dry = await sync({ dryRun: true });
    assert.equal(dry.ok, false);
    assert.match(onlyZone(dry).summary, /^taken\.test: would be refused: .*another account/);
    const real = await sync();
    assert.match(onlyZone(real).summary, /^taken\.test: refused: /);
    assert.equal(reasonOf(onlyZone(real).summary), reasonOf(onlyZone(dry).summary));
  });
});

/** ChangeResourceRecordSets calls between two stats snapshots. */
function statsDeltaChanges(before: Record<string, number>, after: Record<string, number>): number {
  return (after.ChangeResourceRecordSets ?? 0) - (before.ChangeResourceRecordSets ?? 0);
}

/** A zone the operator made by hand in the account, holding one TXT record of theirs. */
async function operatorZone(env: SyncEnv, zone: string): Promise<string> {
  const id = (await createHostedZone(env.api, `${zone}.`, {
    callerReference: () => `console ${crypto.randomUUID()}`,
  })).zone.id;
  await env.client.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: id,
      ChangeBatch: {
        Changes: [{
          Action: "CREATE",
          ResourceRecordSet: {
            Name: `ops.${zone}.`,
            Type: "TXT",
            TTL: 60,
            ResourceRecords: [{ Value: '"operator-only"' }],
          },
        }],
      },
    }),
  );
  return id;
}

const FOREIGN =
  /^ops\.test: (?:would be )?refused: ops\.test already exists in our DNS account and is not recorded as yours; contact support to have it assigned$/;

Deno.test("syncUser() refuses a hosted zone of the name that is not recorded as the user's, and reads nothing of it", async () => {
  await withFixture({}, async (f) => {
    const id = await operatorZone(f, "ops.test");
    const before = await listRecordSets(f.api, id, "ops.test.");
    await f.commit({
      "ops.test": "www 300 IN A 192.0.2.1\n",
      "shop.test": "www 300 IN A 192.0.2.2\n",
    });

    const dry = await f.sync({ dryRun: true });
    const real = await f.sync();
    for (const result of [dry, real]) {
      const ops = result.zones.find((z) => z.zone === "ops.test");
      assert.equal(ops?.status, "refused");
      assert.match(ops.summary, FOREIGN);
      assert.equal(ops.plan, undefined);
      assert.ok(
        !messages(result).some((m) => /operator-only|ops\.ops/.test(m)),
        messages(result).join("\n"),
      );
    }
    const reason = (r: UserSyncResult) =>
      reasonOf(r.zones.find((z) => z.zone === "ops.test")!.summary);
    assert.equal(reason(dry), reason(real), "the dry run refuses with the same reason");
    assert.equal(real.zones.find((z) => z.zone === "shop.test")?.status, "synced");
    assert.equal(f.domains.has("ops.test"), false, "no row is claimed for a refused zone");
    assert.deepEqual(await listRecordSets(f.api, id, "ops.test."), before, "the zone is untouched");
    assert.equal(f.server.stats().ListResourceRecordSets ?? 0, 2, "only the test's own listings");
  });
});

Deno.test("syncUser() recovers the zone it created when the row update was lost, without a second zone", async () => {
  await withFixture({}, async (f) => {
    await f.commit({ "shop.test": hosts(2) });
    const store = f.db.updateDomainAfterSync;
    f.db.updateDomainAfterSync = () => {
      f.db.updateDomainAfterSync = store;
      return Promise.reject(Object.assign(new Error("Connection lost"), { code: "ECONNRESET" }));
    };
    await assert.rejects(f.sync(), /Connection lost/);
    assert.equal(
      f.domains.get("shop.test")?.hostedZoneId,
      null,
      "the claim stayed, the id was lost",
    );
    assert.equal(f.server.stats().CreateHostedZone, 1);

    const again = await f.sync();
    assert.deepEqual(summaries(again), ["shop.test: +2 ~0 -0"]);
    assert.equal(
      f.server.stats().CreateHostedZone,
      1,
      "the zone is found by its mark, not made again",
    );
    const id = f.domains.get("shop.test")?.hostedZoneId;
    assert.ok(id);
    assert.equal((await listRecordSets(f.api, id, "shop.test.")).sets.length, 2);
  });
});

Deno.test("syncUser() does not take back a zone it created for a row that was released since", async () => {
  await withFixture({}, async (f) => {
    await f.commit({ "shop.test": hosts(2) });
    await f.sync();
    f.domains.delete("shop.test");
    await f.commit({ "shop.test": hosts(3) });
    // The row is claimed again later, so it has another claim time than the zone's mark.
    const released = await f.sync({ dryRun: true });
    assert.match(
      onlyZone(released).summary,
      /^shop\.test: would be refused: shop\.test already exists/,
    );
    f.domains.set("shop.test", { ...row("shop.test", "steve"), createdAt: new Date(1000) });
    const reclaimed = await f.sync();
    assert.match(onlyZone(reclaimed).summary, /^shop\.test: refused: shop\.test already exists/);
    assert.equal(f.server.stats().CreateHostedZone, 1);
  });
});

Deno.test("syncUser() creates at most maxNewZonesPerPush new zones in file-name order and refuses the rest by name, with the limit", async () => {
  await withFixture({ settings: { quotas: { maxNewZonesPerPush: 10 } } }, async (f) => {
    const names = Array.from({ length: 12 }, (_, i) => `z${String(i).padStart(2, "0")}.test`);
    await f.commit(Object.fromEntries(names.map((n) => [n, hosts(1)])));
    const dry = await f.sync({ dryRun: true });
    const first = await f.sync();
    for (const result of [dry, first]) {
      const refused = result.zones.filter((z) => z.status === "refused").map((z) => z.zone);
      assert.deepEqual(refused, ["z10.test", "z11.test"]);
      for (const zone of refused) {
        assert.match(
          result.zones.find((z) => z.zone === zone)?.summary ?? "",
          /refused: at most 10 new domains are set up per push; .*push again/,
        );
      }
    }
    assert.equal(first.zones.filter((z) => z.status === "synced").length, 10);
    assert.equal(f.server.stats().CreateHostedZone, 10);
    assert.deepEqual([...f.domains.keys()].sort(), names.slice(0, 10));

    const next = await f.sync();
    assert.deepEqual(next.zones.map((z) => [z.zone, z.status]), [
      ["z10.test", "synced"],
      ["z11.test", "synced"],
    ]);
  });
});

Deno.test("syncUser() of a user at maxZonesPerUser refuses a new domain with the limit; the domains held still sync", async () => {
  await withFixture({ settings: { quotas: { maxZonesPerUser: 2 } } }, async (f) => {
    await f.commit({ "a.test": hosts(1), "b.test": hosts(1) });
    assert.ok((await f.sync()).ok);
    await f.commit({ "a.test": hosts(2), "b.test": hosts(2), "c.test": hosts(1) });
    const result = await f.sync();
    assert.deepEqual(result.zones.map((z) => [z.zone, z.status]), [
      ["a.test", "synced"],
      ["b.test", "synced"],
      ["c.test", "refused"],
    ]);
    assert.match(
      result.zones[2]!.summary,
      /^c\.test: refused: your account holds 2 domains, its limit is 2; contact support/,
    );
    assert.equal(f.domains.has("c.test"), false);
    assert.equal(f.server.stats().CreateHostedZone, 2);
  });
});
