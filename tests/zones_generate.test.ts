import { deepStrictEqual as eq } from "node:assert/strict";
import { expandGenerate } from "../lib/zones.ts";
import { parseZone } from "../lib/zones.ts";
import { assertParses } from "../testing/zone_sets.ts";

function gen(line: string): string[] | string {
  const tokens = line.split(" ");
  return expandGenerate(tokens, tokens.length, 1000);
}

Deno.test("$GENERATE substitutes $ in owner and data over start-stop/step", () => {
  eq(gen("$GENERATE 1-5/2 h$ A 10.0.0.$"), [
    "h1 A 10.0.0.1",
    "h3 A 10.0.0.3",
    "h5 A 10.0.0.5",
  ]);
});

Deno.test("$GENERATE applies ${offset,width,base} like BIND (d o x X, padding, sign)", () => {
  eq(gen("$GENERATE 10-10 a${0,3,o}-${1,4,x}-${0,0,X}-${-12,4,d} A 1.2.3.4"), [
    "a012-000b-A--002 A 1.2.3.4",
  ]);
  eq(gen("$GENERATE 7-7 b${2} A 1.2.3.4"), ["b9 A 1.2.3.4"]);
});

Deno.test("$GENERATE keeps the last offset for later bare $ in the same field (BIND)", () => {
  eq(gen("$GENERATE 1-1 h${1,3,x}-$ A 10.0.0.$"), ["h002-2 A 10.0.0.1"]);
});

Deno.test("$GENERATE nibble mode reverses hex digits, width counting characters", () => {
  eq(gen("$GENERATE 250-250 ${0,0,n}x PTR p"), ["a.fx PTR p"]);
  eq(gen("$GENERATE 250-250 ${0,4,n}x PTR p"), ["a.f.x PTR p"]);
  eq(gen("$GENERATE 250-250 ${0,5,n}x PTR p"), ["a.f.0x PTR p"]);
  eq(gen("$GENERATE 4660-4660 ${0,0,N}x PTR p"), ["4.3.2.1x PTR p"]);
});

Deno.test("$GENERATE writes $$ as a literal $ and passes escapes through", () => {
  eq(gen("$GENERATE 1-1 a$$ TXT \\$$"), ["a$ TXT \\$1"]);
});

Deno.test("$GENERATE refuses bad ranges and too many records", () => {
  eq(
    gen("$GENERATE 5-1 h$ A 1.2.3.4"),
    'bad $GENERATE range "5-1": start must not pass stop, step must be 1 or more',
  );
  eq(
    gen("$GENERATE x h$ A 1.2.3.4"),
    'bad $GENERATE range "x": write start-stop or start-stop/step',
  );
  eq(
    gen("$GENERATE 1-1001 h$ A 1.2.3.4"),
    '$GENERATE range "1-1001" makes more records than the zone may hold',
  );
  eq(gen("$GENERATE 1-2 h${x} A 1.2.3.4"), 'bad ${offset,width,base} in "h${x}"');
});

Deno.test("parseZone() expands $GENERATE with TTL and class, in the zone's origin", () => {
  assertParses(
    "$TTL 60\n$GENERATE 1-2 host-$ 300 IN A 192.0.2.$\n$GENERATE 1-2 r$ CNAME host-$\n",
    [
      "host-1.shop.test. A 300 192.0.2.1",
      "host-2.shop.test. A 300 192.0.2.2",
      "r1.shop.test. CNAME 60 host-1.shop.test.",
      "r2.shop.test. CNAME 60 host-2.shop.test.",
    ],
  );
});

Deno.test("parseZone() re-lexes a quoted $GENERATE RHS, as BIND does", () => {
  assertParses('$TTL 60\n$GENERATE 10-10 x${0,2,x} TXT "hex ${0,4,X}"\n', [
    'x0a.shop.test. TXT 60 "hex" "000A"',
  ]);
});

Deno.test("parseZone() reports a bad generated record once, on the $GENERATE line", () => {
  const r = parseZone("$TTL 60\n\n$GENERATE 250-260 h$ A 10.0.0.$\n", { zone: "shop.test" });
  eq(r.errors.map((e) => `${e.line}: ${e.message}`), [
    '3: "10.0.0.256" is not an IPv4 address: write four numbers 0-255 without leading zeros',
  ]);
});

Deno.test("a blank owner after $GENERATE inherits the owner before it, as in BIND", () => {
  assertParses('$TTL 1\nfoo A 192.0.2.1\n$GENERATE 1-1 g$ A 10.0.0.$\n  TXT "after"\n', [
    "foo.shop.test. A 1 192.0.2.1",
    'foo.shop.test. TXT 1 "after"',
    "g1.shop.test. A 1 10.0.0.1",
  ]);
});

Deno.test("$GENERATE checks its numbers as BIND does (range ends, step, offset, width)", () => {
  eq(
    gen("$GENERATE 2147483648-2147483648 h$ A 1.2.3.4"),
    'bad $GENERATE range "2147483648-2147483648": BIND takes numbers up to 2147483647',
  );
  eq(
    gen("$GENERATE 1-3/2147483648 h$ A 1.2.3.4"),
    'bad $GENERATE range "1-3/2147483648": BIND takes numbers up to 2147483647',
  );
  eq(
    gen("$GENERATE 1-3/0 h$ A 1.2.3.4"),
    'bad $GENERATE range "1-3/0": start must not pass stop, step must be 1 or more',
  );
  eq(gen("$GENERATE 2147483647-2147483647 h$ A 1.2.3.4"), ["h2147483647 A 1.2.3.4"]);
  // iterator + offset must stay a C int: BIND says "out of range" (its iterator 0 is exempt)
  eq(gen("$GENERATE 0-0 x${2147483647} A 1.2.3.4"), ["x2147483647 A 1.2.3.4"]);
  eq(
    gen("$GENERATE 1-2 x${2147483647} A 1.2.3.4"),
    "$GENERATE offset 2147483647 + iterator 1 is above 2147483647: BIND refuses it",
  );
  eq(gen("$GENERATE 1-1 x${-2147483648} A 1.2.3.4"), ["x-2147483647 A 1.2.3.4"]);
  eq(gen("$GENERATE 1-1 z${+5} A 1.2.3.4"), ["z6 A 1.2.3.4"]);
  // BIND wraps an offset its int cannot hold; we refuse it instead
  eq(
    gen("$GENERATE 1-1 x${99999999999} A 1.2.3.4"),
    'bad $GENERATE offset 99999999999 in "x${99999999999}": it must be -2147483648..2147483647',
  );
  // BIND formats each number into 128 bytes: width 127 fits, 128 "ran out of space"
  eq((gen("$GENERATE 1-1 x TXT ${0,127}") as string[])[0]?.length, "x TXT ".length + 127);
  eq(
    gen("$GENERATE 1-1 x TXT ${0,128}"),
    'bad $GENERATE width 128 in "${0,128}": BIND formats at most 127 characters',
  );
});

Deno.test("$GENERATE prints a negative number in o, x and X as BIND's unsigned int", () => {
  eq(gen("$GENERATE 1-1 x${-5,3,x}-${-5,0,o}-${-5,0,X}-${-5,4} A 1.2.3.4"), [
    "xfffffffc-37777777774-FFFFFFFC--004 A 1.2.3.4",
  ]);
});

Deno.test("the 260-byte $GENERATE that exhausted the worker's memory errors at once", () => {
  const line = "$GENERATE 1-4000000 x${0,2147483647} TXT " + '"' + "${0,127}".repeat(24) + '"';
  const r = parseZone(`$TTL 60\n${line}\n`, { zone: "shop.test" });
  eq(r.errors.map((e) => `${e.line}: ${e.message}`), [
    '2: bad $GENERATE width 2147483647 in "x${0,2147483647}": BIND formats at most 127 characters',
  ]);
  eq(r.rrsets, []);
});

Deno.test("$GENERATE stops at the record-set limit before making the records after it", () => {
  // iterator 3648 would overflow the offset: a reader that expanded first would say so
  const r = parseZone("$TTL 60\n$GENERATE 1-4000 h${2147480000} A 192.0.2.1\n", {
    zone: "shop.test",
    limits: { maxRecordSets: 10 },
  });
  eq(r.errors.map((e) => `${e.line}: ${e.message}`), [
    "2: more than 10 record sets: Route 53's quota for one zone is exceeded",
  ]);
});

Deno.test("$GENERATE stops once its records pass the size a zone file may have", () => {
  const r = parseZone("$TTL 60\n$GENERATE 0-99999 www A 192.0.2.1\n", {
    zone: "shop.test",
    limits: { maxBytes: 1000 },
  });
  eq(r.errors.map((e) => `${e.line}: ${e.message}`), [
    "2: $GENERATE makes more than 1000 bytes of records, the size limit of a zone file: generate fewer records",
  ]);
});

Deno.test("$GENERATE stops once a set has more distinct values than Route 53 allows", () => {
  const r = parseZone("$TTL 60\n$GENERATE 0-999 www TXT $\n", {
    zone: "shop.test",
    limits: { maxValuesPerSet: 5 },
  });
  eq(
    r.errors[0]?.message,
    "$GENERATE makes more than 5 values for the TXT set at www.shop.test.; Route 53 allows 5",
  );
  // the same record made over and over is one value, as in BIND
  assertParses("$TTL 60\n$GENERATE 0-999 www A 192.0.2.1\n", ["www.shop.test. A 60 192.0.2.1"]);
});
