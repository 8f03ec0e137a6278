import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { isZoneCandidate, zoneFilesOf, zoneNameProblem, zonePathKind } from "../lib/zones.ts";

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
