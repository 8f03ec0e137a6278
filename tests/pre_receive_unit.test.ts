import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  checkZoneText,
  isZoneCandidate,
  parseRefUpdates,
  runPreReceive,
  validatePush,
  zoneNameProblem,
} from "../lib/hook.ts";
import { parseDiffTree, parseLsTree } from "../lib/git.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const ZERO = "0".repeat(40);

Deno.test("parseRefUpdates() reads `old new ref` lines and ignores anything else", () => {
  const lines = [`${A} ${B} refs/heads/main`, "", "garbage", `${B} ${ZERO} refs/x`];
  assertEquals(parseRefUpdates(lines.join("\n")), [
    { old: A, new: B, ref: "refs/heads/main" },
    { old: B, new: ZERO, ref: "refs/x" },
  ]);
});

Deno.test("isZoneCandidate() takes direct children of zones/ except hidden and example.* files", () => {
  assert(isZoneCandidate("zones/shop.test", "zones"));
  assert(!isZoneCandidate("zones/sub/shop.test", "zones"));
  assert(!isZoneCandidate("zones/.gitkeep", "zones"));
  assert(!isZoneCandidate("zones/example.com", "zones"));
  assert(!isZoneCandidate("zones/Example.org", "zones"));
  assert(!isZoneCandidate("other/shop.test", "zones"));
  assert(!isZoneCandidate("zonesx/shop.test", "zones"));
});

Deno.test("zoneNameProblem() refuses names that are not hostable domains", () => {
  assertEquals(zoneNameProblem("shop.test"), null);
  assertEquals(zoneNameProblem("Shop.Test."), null);
  assert(zoneNameProblem("shop_test")?.includes("the file name must be the domain name"));
  assert(zoneNameProblem("com")?.includes("public suffix"));
  assert(zoneNameProblem("co.uk")?.includes("public suffix"));
});

Deno.test("checkZoneText() prefixes each problem with the file and line", () => {
  const result = checkZoneText("zones/shop.test", "$TTL 300\nwww IN A 192.0.2.1\nx IN A 1.2.3\n");
  assertEquals(result.errors.length, 1);
  assert(result.errors[0]!.startsWith("zones/shop.test:3: "), String(result.errors[0]));
  assertEquals(checkZoneText("zones/shop.test", "$TTL 300\nwww IN A 192.0.2.1\n").errors, []);
});

Deno.test("checkZoneText() passes the zone's warnings on with the file and line", () => {
  const result = checkZoneText("zones/acme-widgets.com", "$TTL 300\nblog CNAME acme.ghost.io\n");
  assertEquals(result.errors, []);
  assertEquals(result.warnings, [
    'zones/acme-widgets.com:2: warning: CNAME target "acme.ghost.io" has no trailing dot, so ' +
    'it means acme.ghost.io.acme-widgets.com.; did you mean "acme.ghost.io."? (a name ' +
    "outside this zone ends with a dot)",
  ]);
});

Deno.test("parseLsTree() and parseDiffTree() read git's NUL-separated output", () => {
  const oid = "c".repeat(40);
  assertEquals(
    parseLsTree(`100644 blob ${oid}\tzones/a b.test\x00120000 blob ${oid}\tzones/link\0`),
    [
      { mode: "100644", oid, path: "zones/a b.test" },
      { mode: "120000", oid, path: "zones/link" },
    ],
  );
  assertEquals(
    parseDiffTree(
      `:100644 100755 ${A} ${oid} M\0zones/x.test\0:000000 100644 ${ZERO} ${B} A\0zones/y\0`,
    ),
    [
      { mode: "100755", oid, path: "zones/x.test" },
      { mode: "100644", oid: B, path: "zones/y" },
    ],
  );
});

Deno.test("validatePush() lets the push through, saying why, when git fails", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const verdict = await validatePush({ gitDir: dir, lines: [`${ZERO} ${B} refs/heads/main`] });
    assertEquals(verdict.ok, true);
    assert(verdict.skipped?.includes("git ls-tree failed"), String(verdict.skipped));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("validatePush() lets the push through when the time limit is reached", async () => {
  const verdict = await validatePush({
    gitDir: "/nonexistent",
    lines: [`${A} ${B} refs/heads/main`],
    limits: { timeMs: 0 },
  });
  assertEquals(verdict.ok, true);
  assert(verdict.skipped?.includes("time limit"), String(verdict.skipped));
});

Deno.test("validatePush() has nothing to check for deleted refs and tags", async () => {
  const verdict = await validatePush({
    gitDir: "/nonexistent",
    lines: [`${A} ${ZERO} refs/heads/old`, `${ZERO} ${B} refs/tags/v1`],
  });
  assertEquals(verdict, { ok: true, messages: [] });
});

Deno.test("runPreReceive() exits 0 and says it could not validate when the repository is unreadable", async () => {
  const lines: string[] = [];
  const env: Record<string, string> = { GIT_DIR: "/nonexistent/repo.git" };
  const code = await runPreReceive(`${ZERO} ${B} refs/heads/main\n`, {
    env: (name) => env[name],
    cwd: "/",
    print: (line) => lines.push(line),
  });
  assertEquals(code, 0);
  assertEquals(lines.length, 1);
  assert(lines[0]!.startsWith("dns-api: could not validate the zone files ("), String(lines[0]));
});

Deno.test("checkZoneText() reads a Unicode file name as its A-label and warns on a classic zone-file name", () => {
  assertEquals(checkZoneText("zones/café.test", "$TTL 300\nbücher A 192.0.2.1\n"), {
    errors: [],
    warnings: [],
  });
  assertEquals(checkZoneText("zones/x.com.zone", "$TTL 300\nwww A 192.0.2.1\n").warnings, [
    "zones/x.com.zone: warning: the zone is named literally after the file: zones/x.com.zone " +
    "is the domain x.com.zone; if you meant x.com, rename the file: git mv zones/x.com.zone zones/x.com",
  ]);
  assert(
    checkZoneText("zones/caf é.test", "")?.errors[0]?.startsWith("zones/caf é.test: the file name"),
  );
});
