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
/** A valid zone without the apex SOA and NS lines that check warns about. */
const PLAIN = "$TTL 300\nwww A 192.0.2.1\n";
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

Deno.test("check reads a Unicode file name as its A-label and shows both", async () => {
  await withFiles({ "café.test": "$TTL 300\nbücher A 192.0.2.1\n" }, async (dir) => {
    const file = join(dir, "café.test");
    const r = await run([file]);
    eq(r.code, 0);
    eq(r.out, `${file}: ok, zone café.test (xn--caf-dma.test), 1 record sets, 0 warnings\n`);
    const j = JSON.parse((await run(["--json", file])).out) as {
      zones: { zone: string; rrsets: { name: string }[] }[];
    };
    eq(j.zones[0]?.zone, "xn--caf-dma.test");
    eq(j.zones[0]?.rrsets.map((s) => s.name), ["xn--bcher-kva.xn--caf-dma.test."]);
  });
});

Deno.test("check refuses a file name the push refuses: not a domain, an invalid IDN, a public suffix", async () => {
  await withFiles({ "shop_test": GOOD, "1عربي.test": GOOD, "co.uk": GOOD }, async (dir) => {
    const r = await run([join(dir, "shop_test"), join(dir, "1عربي.test"), join(dir, "co.uk")]);
    eq(r.code, 1);
    const lines = r.out.trimEnd().split("\n");
    ok(lines[0]?.startsWith(`${join(dir, "shop_test")}: the file name must be the domain name: `));
    ok(lines[2]?.includes('the label "1عربي" is not a valid internationalised name'), r.out);
    ok(lines[4]?.includes("co.uk is a public suffix on the Public Suffix List"), r.out);
  });
});

Deno.test("check DIR selects zone files as the worker does: one notice for skipped files, samples and nested files said", async () => {
  await withFiles({
    "shop.test": PLAIN,
    "x.com.zone": PLAIN,
    "README.md": "# my zones\n",
    ".gitkeep": "",
    "example.com": "not a zone\n",
  }, async (dir) => {
    await Deno.mkdir(join(dir, "old"));
    await Deno.writeTextFile(join(dir, "old", "a.test"), PLAIN);
    const r = await run([dir + "/"]);
    eq(r.code, 0, r.out);
    eq(r.out.trimEnd().split("\n"), [
      `${dir}/old/a.test: ignored; zone files live directly in ${dir}/`,
      `${dir}/.gitkeep, ${dir}/README.md: not zone files, skipped (README*, LICENSE*, ` +
      `CHANGELOG* and dot-files are never synced)`,
      `${dir}/example.com: sample file, skipped`,
      `${dir}/shop.test: ok, zone shop.test, 1 record sets, 0 warnings`,
      `${dir}/x.com.zone: warning: the zone is named literally after the file: ${dir}/x.com.zone ` +
      `is the domain x.com.zone; if you meant x.com, rename the file: git mv ${dir}/x.com.zone ` +
      `${dir}/x.com`,
      `${dir}/x.com.zone: ok, zone x.com.zone, 1 record sets, 1 warnings`,
    ]);
    const j = JSON.parse((await run(["--json", dir])).out) as {
      zones: unknown[];
      notices: string[];
    };
    eq(j.zones.length, 2);
    eq(j.notices.length, 3);
  });
});

Deno.test("check FILE skips a README or dot-file named on the command line, as the worker would", async () => {
  await withFiles({ "README.md": "# my zones\n", "shop.test": PLAIN }, async (dir) => {
    const r = await run([join(dir, "README.md"), join(dir, "shop.test")]);
    eq(r.code, 0);
    eq(r.out.trimEnd().split("\n"), [
      `${join(dir, "README.md")}: not zone files, skipped (README*, LICENSE*, CHANGELOG* and ` +
      `dot-files are never synced)`,
      `${join(dir, "shop.test")}: ok, zone shop.test, 1 record sets, 0 warnings`,
    ]);
  });
});
