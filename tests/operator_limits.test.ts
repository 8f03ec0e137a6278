/**
 * The zone limits an operator sets (DNSAPI_MAX_RECORD_SETS, DNSAPI_MAX_ZONE_BYTES,
 * DNSAPI_MAX_VALUES_PER_SET) hold alike in `check`, pre-receive and a sync: a zone of
 * 10,001 record sets is refused at Route 53's default quota and accepted once the
 * operator raises it; more than Route 53's 400 values per set is a configuration error.
 */
import { deepStrictEqual as eq, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { checkZoneText } from "../lib/hook.ts";
import { loadConfig } from "../lib/config.ts";
import { hookSettings } from "../cli/user_cmds.ts";
import { createWorld } from "../testing/world.ts";

/** 10,001 A sets (one more than Route 53's default quota of 10,000). */
const BIG = "$TTL 300\n" +
  Array.from({ length: 10_001 }, (_, i) => `h${i} A 192.0.2.${i % 250 + 1}\n`).join("");
const QUOTA = "more than 10000 record sets";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("check refuses a 10,001-set zone by default and accepts it with DNSAPI_MAX_RECORD_SETS=20000", async () => {
  const dir = await Deno.makeTempDir({ prefix: "limits_check_" });
  try {
    const file = join(dir, "big.test");
    await Deno.writeTextFile(file, BIG);
    const refused = await cli(["check", file]);
    eq(refused.code, 1, refused.stderr);
    ok(refused.stdout.includes(QUOTA), refused.stdout);
    const raised = await cli(["check", file], { DNSAPI_MAX_RECORD_SETS: "20000" });
    eq(raised.code, 0, raised.stdout + raised.stderr);
    match(raised.stdout, /ok, zone big\.test, 10001 record sets/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check holds a file to DNSAPI_MAX_ZONE_BYTES", async () => {
  const dir = await Deno.makeTempDir({ prefix: "limits_bytes_" });
  try {
    const file = join(dir, "shop.test");
    await Deno.writeTextFile(file, "$TTL 300\nwww A 192.0.2.1\nftp A 192.0.2.2\n");
    const r = await cli(["check", file], { DNSAPI_MAX_ZONE_BYTES: "20" });
    eq(r.code, 1);
    ok(r.stdout.includes("the limit is 20"), r.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pre-receive's checkZoneText applies the limits it is given", () => {
  const refused = checkZoneText("zones/big.test", BIG);
  ok(refused.errors.some((e) => e.includes(QUOTA)), refused.errors.join("\n"));
  const raised = checkZoneText("zones/big.test", BIG, [], { maxRecordSets: 20_000 });
  eq(raised.errors, []);
  const three = "$TTL 300\nwww A 192.0.2.1\nwww A 192.0.2.2\nwww A 192.0.2.3\n";
  eq(checkZoneText("zones/shop.test", three).errors, []);
  const two = checkZoneText("zones/shop.test", three, [], { maxValuesPerSet: 2 });
  ok(two.errors.some((e) => e.includes("allows 2")), two.errors.join("\n"));
});

Deno.test("the installed hook settings carry the operator's limits", () => {
  const settings = hookSettings(
    loadConfig({ DNSAPI_MAX_RECORD_SETS: "20000", DNSAPI_MAX_ZONE_BYTES: "1048576" }),
  );
  eq(settings.DNSAPI_MAX_RECORD_SETS, "20000");
  eq(settings.DNSAPI_MAX_ZONE_BYTES, "1048576");
  eq(settings.DNSAPI_MAX_VALUES_PER_SET, "400");
});

Deno.test("DNSAPI_MAX_VALUES_PER_SET above Route 53's 400 is a configuration error naming it", async () => {
  let message = "";
  try {
    loadConfig({ DNSAPI_MAX_VALUES_PER_SET: "401" });
  } catch (e) {
    message = (e as Error).message;
  }
  match(message, /DNSAPI_MAX_VALUES_PER_SET: 401 is more than Route 53 allows in one record set/);
  eq(loadConfig({ DNSAPI_MAX_VALUES_PER_SET: "100" }).zoneLimits.maxValuesPerSet, 100);
  match(
    (() => {
      try {
        loadConfig({ DNSAPI_MAX_RECORD_SETS: "many" });
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    })(),
    /DNSAPI_MAX_RECORD_SETS: must be a whole number/,
  );
  const r = await cli(["check", "/nonexistent"], { DNSAPI_MAX_VALUES_PER_SET: "401" });
  eq(r.code, 2);
  match(r.stderr, /DNSAPI_MAX_VALUES_PER_SET: 401 is more than Route 53 allows/);
});

Deno.test("a push of 10,001 sets: refused by pre-receive by default, and by a sync", async () => {
  const world = await createWorld();
  try {
    await world.addUser("alice");
    const clone = await world.clone("alice");
    await world.commit(clone, { "zones/big.test": BIG });
    const push = await world.push(clone);
    ok(push.code !== 0, push.output);
    ok(push.output.includes(QUOTA), push.output);
    // Past pre-receive (hook removed), the worker's sync holds the zone to the same quota.
    await Deno.remove(`${world.reposRoot}/alice/hooks/pre-receive`);
    eq((await world.push(clone)).code, 0);
    const sync = await world.cli(["sync", "--user", "alice"]);
    ok(sync.stdout.includes(QUOTA), sync.stdout + sync.stderr);
    eq(await world.managedSets("big.test"), null);
  } finally {
    await world.close();
  }
});

Deno.test("with DNSAPI_MAX_RECORD_SETS=20000, a push of 10,001 sets passes pre-receive and syncs", async () => {
  const world = await createWorld({
    env: { DNSAPI_MAX_RECORD_SETS: "20000" },
    route53: { maxRecordSetsPerZone: 20_000 },
  });
  try {
    await world.addUser("alice");
    const clone = await world.clone("alice");
    await world.commit(clone, { "zones/big.test": BIG });
    const push = await world.push(clone);
    eq(push.code, 0, push.output);
    const sync = await world.cli(["sync", "--user", "alice"]);
    eq(sync.code, 0, sync.stdout + sync.stderr);
    eq((await world.managedSets("big.test"))?.length, 10_001);
  } finally {
    await world.close();
  }
});
