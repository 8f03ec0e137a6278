import { deepStrictEqual as eq, throws } from "node:assert/strict";
import {
  canonicalRoute53Name,
  compareRoute53Order,
  isInZone,
  parseName,
  toRoute53Name,
} from "../lib/zones.ts";

Deno.test("parseName() lower-cases, qualifies relative names and reads @", () => {
  eq(parseName("WWW", "shop.test.", false), "www.shop.test.");
  eq(parseName("Www.Other.Test.", "shop.test.", false), "www.other.test.");
  eq(parseName("@", "shop.test.", false), "shop.test.");
  eq(parseName(".", "shop.test.", false), ".");
  eq(parseName("a", ".", false), "a.");
});

Deno.test("parseName() reads zone-file \\DDD as DECIMAL and writes octal \\ooo", () => {
  eq(parseName("a\\032b", "t.", false), "a\\040b.t."); // 32 = space = octal 040
  eq(parseName("\\065x", "t.", false), "ax.t."); // 65 = "A", lower-cased
  eq(parseName("a\\.b", "t.", false), "a\\056b.t."); // escaped dot stays in the label
  eq(parseName("a\\@b", "t.", false), "a\\100b.t.");
  eq(parseName("\\042", "t.", false), "*.t."); // 42 = "*": a wildcard label
  eq(parseName("caf\\195\\169", "t.", false), "caf\\303\\251.t."); // bytes, as BIND reads them
});

Deno.test("parseName() writes * as itself only as a whole leftmost label", () => {
  eq(parseName("*", "t.", false), "*.t.");
  eq(parseName("*.a", "t.", false), "*.a.t.");
  eq(parseName("a.*", "t.", false), "a.\\052.t.");
  eq(parseName("*a", "t.", false), "\\052a.t.");
});

Deno.test("parseName() rejects empty labels, long labels and names, bad escapes", () => {
  throws(() => parseName("a..b", "t.", false), /empty label/);
  throws(() => parseName(".a", "t.", false), /empty label/);
  throws(() => parseName("x".repeat(64), "t.", false), /label of 64 octets/);
  parseName("x".repeat(63), "t.", false);
  const long = Array(4).fill("y".repeat(63)).join("."); // 4*64 + 2 ("t.") + 1 > 255
  throws(() => parseName(long, "t.", false), /limit is 255/);
  throws(() => parseName("a\\256", "t.", false), /above 255/);
  throws(() => parseName("a\\12", "t.", false), /three decimal digits/);
});

Deno.test("a name at exactly 255 octets is accepted", () => {
  // 3 labels of 63, one of 61: 4*1 + 250 + 1 (root) = 255
  const name = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".") + ".";
  eq(parseName(name, ".", false), name);
  throws(() => parseName("e." + name, ".", false), /is 257 octets: the limit is 255/);
});

Deno.test("canonicalRoute53Name() reads Route 53's octal escapes and \\052", () => {
  eq(canonicalRoute53Name("\\052.shop.test."), "*.shop.test.");
  eq(canonicalRoute53Name("\\052.Shop.Test"), "*.shop.test.");
  eq(canonicalRoute53Name("a\\057b.shop.test."), "a\\057b.shop.test.");
  eq(canonicalRoute53Name("a\\040b.shop.test."), "a\\040b.shop.test.");
  eq(canonicalRoute53Name("\\101bc.shop.test."), "abc.shop.test."); // octal 101 = "A"
  eq(canonicalRoute53Name("ex\\344mple.test."), "ex\\344mple.test.");
  throws(() => canonicalRoute53Name("a\\400.test."), /above 255/);
  throws(() => canonicalRoute53Name("a\\089.test."), /octal/);
});

Deno.test("toRoute53Name() writes the wildcard as \\052 and round-trips", () => {
  eq(toRoute53Name("*.shop.test."), "\\052.shop.test.");
  eq(toRoute53Name("www.shop.test."), "www.shop.test.");
  eq(toRoute53Name("a\\040b.shop.test."), "a\\040b.shop.test.");
  for (const n of ["*.shop.test.", "a.\\052.shop.test.", "x\\303\\251.test.", "shop.test."]) {
    eq(canonicalRoute53Name(toRoute53Name(n)), n);
  }
});

Deno.test("compareRoute53Order() orders by reversed labels as bytes, then type", () => {
  const names = [
    "b.a.example.com.",
    "a.example.com.",
    "_x.example.com.",
    "example.com.",
    "a-b.example.com.",
    "*.example.com.",
    "1.example.com.",
  ];
  const sorted = names.map((name) => ({ name, type: "A" })).sort(compareRoute53Order);
  eq(sorted.map((s) => s.name), [
    "example.com.",
    "1.example.com.",
    "*.example.com.",
    "_x.example.com.",
    "a-b.example.com.",
    "a.example.com.",
    "b.a.example.com.",
  ]);
  const types = ["TXT", "A", "SOA", "NS", "AAAA", "CNAME", "CAA"].map((type) => ({
    name: "x.",
    type,
  }));
  eq(types.sort(compareRoute53Order).map((t) => t.type), [
    "A",
    "AAAA",
    "CAA",
    "CNAME",
    "NS",
    "SOA",
    "TXT",
  ]);
});

Deno.test("isInZone() compares label-wise and case-insensitively", () => {
  eq(isInZone("www.shop.test.", "shop.test"), true);
  eq(isInZone("shop.test", "shop.test."), true);
  eq(isInZone("WWW.Shop.Test.", "shop.test."), true);
  eq(isInZone("notshop.test.", "shop.test."), false);
  eq(isInZone("test.", "shop.test."), false);
  eq(isInZone("a\\.shop.test.", "shop.test."), false); // the last labels are "a.shop" "test"
  eq(isInZone("a\\\\.shop.test.", "shop.test."), true); // an escaped backslash, then a dot
  eq(isInZone("anything.", "."), true);
});
