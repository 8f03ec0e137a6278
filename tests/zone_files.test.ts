import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  checkZoneFile,
  fileNameKind,
  isZoneCandidate,
  skippedNotice,
  zoneFileNameWarning,
  zoneFilesOf,
  zoneNameProblem,
  zoneNameSyntaxProblem,
  zoneOfPath,
  zonePathKind,
} from "../lib/zones.ts";

const tree = (...paths: string[]) => paths.map((path) => ({ path, type: "blob" }));

Deno.test("zonePathKind() tells zone files, samples, hidden, nested and outside paths apart", () => {
  assertEquals(zonePathKind("zones/shop.test", "zones"), "zone");
  assertEquals(zonePathKind("zones/example", "zones"), "sample");
  assertEquals(zonePathKind("zones/Example.org", "zones"), "sample");
  assertEquals(zonePathKind("zones/.gitkeep", "zones"), "hidden");
  assertEquals(zonePathKind("zones/sub/shop.test", "zones"), "nested");
  assertEquals(zonePathKind("zonesx/shop.test", "zones"), "outside");
});

Deno.test("the worker's file selection and pre-receive's agree on every path", () => {
  const paths = [
    "zones/shop.test",
    "zones/example",
    "zones/example.com",
    "zones/.gitkeep",
    "zones/sub/x.test",
    "README.md",
  ];
  const { files } = zoneFilesOf(tree(...paths), "zones");
  const synced = files.map((f) => f.path).filter((p) => zonePathKind(p, "zones") === "zone");
  assertEquals(synced, paths.filter((p) => isZoneCandidate(p, "zones")));
  assertEquals(synced, ["zones/shop.test"]);
});

Deno.test("zoneFilesOf() reports nested files as ignored and keeps hidden files out of the log", () => {
  const { files, ignored } = zoneFilesOf(
    tree("zones/a.test", "zones/.keep", "zones/d/b.test"),
    "zones",
  );
  assertEquals(files.map((f) => f.path), ["zones/a.test"]);
  assertEquals(ignored, ["zones/d/b.test"]);
});

Deno.test("zoneNameProblem() words a bad name and a public suffix", () => {
  assertEquals(zoneNameProblem("shop.test"), null);
  assert(zoneNameProblem("shop_test")?.startsWith("the file name must be the domain name: "));
  assert(zoneNameProblem("co.uk")?.includes("public suffix"));
});

Deno.test("README*, LICENSE* and CHANGELOG* in zones/ are not zones, in any case", () => {
  for (
    const name of ["README", "README.md", "readme.txt", "LICENSE", "License.md", "CHANGELOG.md"]
  ) {
    assertEquals(zonePathKind(`zones/${name}`, "zones"), "not-zone", name);
    assertEquals(fileNameKind(name), "not-zone", name);
    assert(!isZoneCandidate(`zones/${name}`, "zones"), name);
  }
  assertEquals(fileNameKind(".gitkeep"), "hidden");
  assertEquals(fileNameKind("shop.test"), "zone");
  assertEquals(zonePathKind("zones/readme.md.test", "zones"), "not-zone");
});

Deno.test("zoneFilesOf() lists dot-files and README-like files as skipped, and skippedNotice() says so in one line", () => {
  const { files, ignored, skipped } = zoneFilesOf(
    tree(
      "zones/.gitkeep",
      "zones/README.md",
      "zones/a.test",
      "zones/.github/x.yml",
      "zones/LICENSE",
    ),
    "zones",
  );
  assertEquals(files.map((f) => f.path), ["zones/a.test"]);
  assertEquals(ignored, []);
  assertEquals(skipped, [
    "zones/.gitkeep",
    "zones/README.md",
    "zones/.github/x.yml",
    "zones/LICENSE",
  ]);
  assertEquals(
    skippedNotice(skipped),
    "zones/.gitkeep, zones/README.md, zones/.github/x.yml, zones/LICENSE: not zone files, " +
      "skipped (README*, LICENSE*, CHANGELOG* and dot-files are never synced)",
  );
  assertEquals(skippedNotice([]), null);
});

Deno.test("zoneFileNameWarning() says a classic zone-file name is the zone's name, literally, and how to rename it", () => {
  assertEquals(
    zoneFileNameWarning("zones/x.com.zone"),
    "the zone is named literally after the file: zones/x.com.zone is the domain x.com.zone; " +
      "if you meant x.com, rename the file: git mv zones/x.com.zone zones/x.com",
  );
  assert(zoneFileNameWarning("zones/x.com.db")?.endsWith("git mv zones/x.com.db zones/x.com"));
  assert(
    zoneFileNameWarning("zones/x.com.hosts")?.endsWith("git mv zones/x.com.hosts zones/x.com"),
  );
  assert(zoneFileNameWarning("zones/db.x.com")?.endsWith("git mv zones/db.x.com zones/x.com"));
  assert(zoneFileNameWarning("zones/DB.x.com.ZONE")?.endsWith("zones/DB.x.com.ZONE zones/x.com"));
  // Nothing left that looks like a domain: the rename names a placeholder.
  assert(
    zoneFileNameWarning("zones/named.hosts")?.endsWith("git mv zones/named.hosts zones/<domain>"),
  );
  assertEquals(zoneFileNameWarning("zones/x.com"), null);
  assertEquals(zoneFileNameWarning("zones/dbx.com"), null);
  assertEquals(zoneFileNameWarning("zones/x.dbz"), null);
});

Deno.test("a Unicode file name names the zone by its A-labels", () => {
  assertEquals(zoneOfPath("zones/café.test"), "xn--caf-dma.test");
  assertEquals(zoneOfPath("zones/Café.Test."), "xn--caf-dma.test");
  assertEquals(zoneOfPath("zones/cafe\u0301.test"), "xn--caf-dma.test"); // NFD
  assertEquals(zoneNameSyntaxProblem("café.test"), null);
  assertEquals(zoneNameProblem("bücher.test"), null);
  assertEquals(zoneNameProblem("xn--caf-dma.test"), null);
  assertEquals(
    zoneNameProblem("测试"),
    "the file name says 测试 (xn--0zwm56d); xn--0zwm56d is a top-level domain (a public " +
      "suffix); only a domain registered under it can be hosted, e.g. yourname.xn--0zwm56d",
  );
});

Deno.test("an invalid IDN as a file name is refused with the label and the reason", () => {
  assert(
    zoneNameSyntaxProblem("1عربي.test")?.startsWith(
      'the file name must be the domain name: the label "1عربي" is not a valid internationalised name',
    ),
  );
  assertEquals(
    zoneNameSyntaxProblem("-café.test"),
    'the file name must be the domain name: the label "-café" may not start or end with "-"',
  );
  assert(zoneNameSyntaxProblem("caf é.test")?.includes('(not " ")'));
  assertEquals(zoneOfPath("zones/1عربي.test"), "1عربي.test"); // left for the check to refuse
});

Deno.test("checkZoneFile() checks the name, warns on a classic name and parses under the A-label", () => {
  const idn = checkZoneFile("zones/café.test", "www 300 A 192.0.2.1\n");
  assertEquals(idn.zone, "xn--caf-dma.test");
  assertEquals(idn.shown, "café.test (xn--caf-dma.test)");
  assertEquals(idn.rrsets.map((r) => r.name), ["www.xn--caf-dma.test."]);
  assertEquals(idn.errors, []);
  const classic = checkZoneFile("zones/x.com.zone", "www 300 A 192.0.2.1\n");
  assertEquals(classic.zone, "x.com.zone");
  assertEquals(classic.warnings.map((w) => w.line), [0]);
  const bad = checkZoneFile("zones/shop_test", "www 300 A 192.0.2.1\n");
  assertEquals(bad.errors.map((e) => e.line), [0]);
  assertEquals(bad.rrsets, []);
});
