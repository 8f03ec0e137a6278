import { deepStrictEqual as eq, ok } from "node:assert/strict";
import { join } from "node:path";
import { runCheck } from "../cli/check.ts";

async function withFiles(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "check_test_" });
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(join(dir, name), text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await runCheck(args, { stdout: (s) => out += s, stderr: (s) => err += s });
  return { code, out, err };
}

const GOOD = "$TTL 300\nwww A 192.0.2.1\n@ SOA ns.x. h.x. 1 2 3 4 5\n@ NS ns.x.\n";
const BAD = "$TTL 300\nwww A 192.0.2.300\nftp LOC 1 2 3\n";

Deno.test("check --json prints the contract's shape and exits 0 for valid files", async () => {
  await withFiles({ "shop.test": GOOD }, async (dir) => {
    const file = join(dir, "shop.test");
    const r = await run(["--json", file]);
    eq(r.code, 0);
    eq(JSON.parse(r.out), {
      zones: [{
        zone: "shop.test",
        file,
        ok: true,
        errors: [],
        // Route 53 keeps its own apex SOA and NS: the file's are ignored, with a warning.
        warnings: [
          {
            line: 3,
            message: "the SOA record is ignored: Route 53 keeps its own SOA for the zone",
          },
          {
            line: 4,
            message: "the NS records at the zone apex are ignored: Route 53 serves the zone " +
              "from its own name servers, and those are what your registrar must list (the " +
              "job log of the push names them if these differ)",
          },
        ],
        rrsets: [{ name: "www.shop.test.", type: "A", ttl: 300, values: ["192.0.2.1"] }],
      }],
    });
  });
});

Deno.test("check exits 1 when any file has an error and prints file:line: message", async () => {
  await withFiles({ "shop.test": GOOD, "bad.test": BAD }, async (dir) => {
    const good = join(dir, "shop.test"), bad = join(dir, "bad.test");
    const r = await run([good, bad]);
    eq(r.code, 1);
    const lines = r.out.trimEnd().split("\n");
    eq(lines, [
      `${good}:3: warning: the SOA record is ignored: Route 53 keeps its own SOA for the zone`,
      `${good}:4: warning: the NS records at the zone apex are ignored: Route 53 serves the ` +
      "zone from its own name servers, and those are what your registrar must list (the job " +
      "log of the push names them if these differ)",
      `${good}: ok, zone shop.test, 1 record sets, 2 warnings`,
      `${bad}:2: "192.0.2.300" is not an IPv4 address: write four numbers 0-255 without leading zeros`,
      `${bad}:3: record type LOC is not one Route 53 can host: remove this record`,
      `${bad}: 2 errors, 0 warnings in zone bad.test`,
    ]);
    const j = await run(["--json", good, bad]);
    eq(j.code, 1);
    const parsed = JSON.parse(j.out) as { zones: { ok: boolean; errors: { line: number }[] }[] };
    eq(parsed.zones.map((z) => z.ok), [true, false]);
    eq(parsed.zones[1]?.errors.map((e) => e.line), [2, 3]);
  });
});

Deno.test("check marks warnings as such and still exits 0", async () => {
  await withFiles({ "shop.test": "a 60 A 192.0.2.1\na 120 A 192.0.2.2\n" }, async (dir) => {
    const file = join(dir, "shop.test");
    const r = await run([file]);
    eq(r.code, 0);
    ok(r.out.startsWith(`${file}:2: warning: TTL 120 differs`));
  });
});

Deno.test("check shows the classic mistakes as warnings with their lines, in text and --json, and exits 0", async () => {
  const text = [
    "$TTL 300",
    "blog CNAME acme.ghost.io",
    "@ TXT v=spf1 include:_spf.example.net ~all",
    "sel._domainkey TXT v=DKIM1; k=rsa; p=MIGf",
  ].join("\n");
  await withFiles({ "acme-widgets.com": text }, async (dir) => {
    const file = join(dir, "acme-widgets.com");
    const j = await run(["--json", file]);
    eq(j.code, 0);
    const [zone] = (JSON.parse(j.out) as {
      zones: { ok: boolean; warnings: { line: number; message: string }[] }[];
    }).zones;
    eq(zone?.ok, true);
    eq(zone?.warnings.map((w) => [w.line, w.message.slice(0, 40)]), [
      [2, 'CNAME target "acme.ghost.io" has no trai'],
      [3, "this TXT record has words outside quotes"],
      [4, 'the TXT value stops at the ";" after "v='],
    ]);
    const r = await run([file]);
    eq(r.code, 0);
    ok(
      r.out.includes(
        `${file}:2: warning: CNAME target "acme.ghost.io" has no trailing dot, so it means ` +
          'acme.ghost.io.acme-widgets.com.; did you mean "acme.ghost.io."?',
      ),
      r.out,
    );
    ok(r.out.includes(`${file}: ok, zone acme-widgets.com, 3 record sets, 3 warnings`), r.out);
  });
});

Deno.test("check reports an unreadable or non-UTF-8 file as an error of that file", async () => {
  await withFiles({}, async (dir) => {
    const bin = join(dir, "bin.test");
    await Deno.writeFile(bin, new Uint8Array([0x41, 0xff, 0xfe, 0x0a]));
    const r = await run(["--json", join(dir, "missing.test"), bin]);
    eq(r.code, 1);
    const z = (JSON.parse(r.out) as { zones: { zone: string; errors: { message: string }[] }[] })
      .zones;
    eq(z.map((x) => x.zone), ["missing.test", "bin.test"]);
    ok(z[0]?.errors[0]?.message.startsWith("cannot read the file"));
    ok(z[1]?.errors[0]?.message.startsWith("the file is not valid UTF-8"));
  });
});

Deno.test("check exits 2 on usage errors", async () => {
  eq((await run([])).code, 2);
  const r = await run(["--nope", "x"]);
  eq(r.code, 2);
  ok(r.err.includes("usage: check [--json] FILE..."));
});
