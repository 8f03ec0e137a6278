/**
 * `plan --user U`: each change printed once, and `--exit-code` for drift checks in cron
 * or CI: 0 when nothing would change, 3 when changes are pending, 1 when refused.
 * Through `main.ts` subprocesses against a world (testing/world.ts).
 */
import { deepStrictEqual as eq, ok } from "node:assert/strict";
import { createWorld } from "../testing/world.ts";

const ZONE = "$TTL 300\nwww A 192.0.2.1\nftp A 192.0.2.2\n";

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

Deno.test("plan prints each change once and --exit-code tells pending changes from none", async (t) => {
  const world = await createWorld();
  try {
    await world.addUser("alice");
    const clone = await world.clone("alice");
    await world.commit(clone, { "zones/shop.test": ZONE });
    eq((await world.push(clone)).code, 0);

    await t.step("a hosted zone still to create: 3", async () => {
      const r = await world.cli(["plan", "--user", "alice", "--exit-code"]);
      eq(r.code, 3, r.stdout + r.stderr);
      ok(r.stdout.includes("would create the hosted zone"), r.stdout);
      eq((await world.cli(["plan", "--user", "alice"])).code, 0, "without --exit-code: 0");
    });

    await t.step("in sync: 0", async () => {
      eq((await world.cli(["sync", "--user", "alice"])).code, 0);
      const r = await world.cli(["plan", "--user", "alice", "--exit-code"]);
      eq(r.code, 0, r.stdout + r.stderr);
      eq(count(r.stdout, "192.0.2"), 0, r.stdout);
    });

    await t.step("a change pending: listed once, 3", async () => {
      await world.commit(clone, { "zones/shop.test": ZONE + "new A 192.0.2.99\n" });
      eq((await world.push(clone)).code, 0);
      const r = await world.cli(["plan", "--user", "alice", "--exit-code"]);
      eq(r.code, 3, r.stdout + r.stderr);
      eq(count(r.stdout, "192.0.2.99"), 1, r.stdout);
      eq(count(r.stdout, "new.shop.test"), 1, r.stdout);
      eq(await world.managedSets("shop.test").then((s) => s?.length), 2, "nothing applied");
    });

    await t.step("a refusal stays 1", async () => {
      await Deno.remove(`${world.reposRoot}/alice/hooks/pre-receive`);
      await world.commit(clone, { "zones/shop.test": "www A 192.0.2.300\n" });
      eq((await world.push(clone)).code, 0);
      const r = await world.cli(["plan", "--user", "alice", "--exit-code"]);
      eq(r.code, 1, r.stdout + r.stderr);
    });
  } finally {
    await world.close();
  }
});
