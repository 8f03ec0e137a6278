/**
 * Differential test: every file in tests/corpus/ is loaded by BIND (named-checkzone,
 * the reference parser) and by our `check` command's reader (cli/check.ts over
 * lib/zones.ts), and the two verdicts must agree.
 *
 * - BIND accepts: we report no error, and our record sets are exactly BIND's dump,
 *   compared two ways: (1) name, type, TTL and the number of records per set, read
 *   from the dump by testing/bind_oracle.ts's own reader; (2) our parse of BIND's dump
 *   text equals our parse of the original (a cross-check of lexing, directives,
 *   relative names and $GENERATE, since the dump is flat and absolute); and (3) for
 *   SVCB and HTTPS, whose value we write as BIND presents it, the values themselves
 *   (so the RFC 9460 vectors in the corpus are checked by BIND, not by memory).
 * - BIND rejects: we report an error too, on the line BIND names first.
 * - Deviations on purpose are listed in DEVIATIONS with the reason; see also
 *   tests/corpus/EXPECTED.md.
 */

import assert from "node:assert/strict";
import { basename, join } from "node:path";
import {
  bindAvailable,
  bindEscapesToOctal,
  bindNameToRoute53,
  parseBindDumpLine,
  runBind,
} from "../testing/bind_oracle.ts";
import { parseZone } from "../lib/zones.ts";
import type { RecordSet } from "../lib/zones.ts";
import { zoneLines } from "../bench/gen_zone.ts";
import { type CheckedZone, checkFile } from "../cli/check.ts";

const ZONE = "shop.test";
const CORPUS = join(import.meta.dirname ?? ".", "corpus");

/** How we differ from BIND on one case, on purpose. */
type Deviation =
  | {
    /** BIND loads the file; we report errors on exactly these lines. */
    kind: "we-reject";
    lines: number[];
    reason: string;
  }
  | {
    /** Both refuse the file; we name these lines instead of the one BIND names. */
    kind: "other-line";
    lines: number[];
    reason: string;
  }
  | {
    /** BIND refuses the file; we load it. */
    kind: "we-accept";
    reason: string;
  };

/** Cases where we differ from BIND on purpose, with the reason. */
const DEVIATIONS: Record<string, Deviation> = {
  "out_of_zone.zone": {
    kind: "we-reject",
    lines: [4, 5],
    reason: "BIND drops out-of-zone records with a warning; Route 53 cannot hold them and " +
      "a silently dropped record is what we forbid, so we report an error",
  },
  "unbalanced_open.zone": {
    kind: "other-line",
    lines: [4],
    reason: 'BIND names the end of the file for a "(" never closed; we name the line ' +
      'of the "(", which tells the customer where to look',
  },
  "type_loc.zone": {
    kind: "we-reject",
    lines: [3],
    reason: "LOC is valid DNS but Route 53 cannot host it",
  },
  "type_hinfo.zone": {
    kind: "we-reject",
    lines: [3],
    reason: "HINFO is valid DNS but Route 53 cannot host it",
  },
  "type_generic.zone": {
    kind: "we-reject",
    lines: [3],
    reason: "TYPE65280 (RFC 3597 generic) is valid DNS but Route 53 cannot host it",
  },
  "type_dname.zone": {
    kind: "we-reject",
    lines: [3],
    reason: "DNAME is valid DNS but Route 53 cannot host it",
  },
  "include_refused.zone": {
    kind: "we-reject",
    lines: [3],
    reason: "$INCLUDE is refused: zone files come from untrusted customers",
  },
  "values_401.zone": {
    kind: "we-reject",
    lines: [3],
    reason: "Route 53 holds at most 400 values per set; BIND has no such limit",
  },
  "txt_over_4000.zone": {
    kind: "we-reject",
    lines: [3],
    reason: "Route 53 takes at most 4000 characters in one value; BIND has no such limit",
  },
  "origin_outside.zone": {
    kind: "we-reject",
    lines: [5],
    reason: "a $ORIGIN outside the zone puts the next record outside it; BIND drops it " +
      "with a warning, we report it (Route 53 cannot hold it)",
  },
  "ttl_out_of_range.zone": {
    kind: "we-reject",
    lines: [4],
    reason: "BIND silently turns a TTL over 2147483647 into 0; a customer's typo must not " +
      "become TTL 0, so we report it",
  },
};

/** Cases where we warn, on which lines, and why. */
const WARNINGS: Record<string, { lines: number[]; reason: string }> = {
  "ttl_disagree.zone": {
    lines: [3],
    reason: "records of one set disagree on TTL; like BIND we keep the first and warn",
  },
  "origin_then_blank_owner.zone": {
    lines: [5],
    reason: "a blank owner right after $ORIGIN keeps the old owner; BIND warns there too",
  },
  "comments_only.zone": {
    lines: [0],
    reason: "a file without record sets is suspicious (BIND says nothing)",
  },
  "classic_named_zone.zone": {
    lines: [4, 10],
    reason: "the apex SOA and NS are ignored: Route 53 keeps its own",
  },
  "export_absolute_names.zone": {
    lines: [5, 7],
    reason: "the apex SOA and NS are ignored: Route 53 keeps its own",
  },
  "ns_delegation_glue.zone": {
    lines: [3],
    reason: "the apex NS are ignored: Route 53 keeps its own",
  },
  "soa_in_file.zone": {
    lines: [3, 4],
    reason: "the apex SOA and NS are ignored: Route 53 keeps its own",
  },
  "txt_unquoted.zone": {
    lines: [3],
    reason: "unquoted words became two strings, which readers join without a space",
  },
};

const files = [...Deno.readDirSync(CORPUS)]
  .map((e) => e.name)
  .filter((n) => n.endsWith(".zone"))
  .sort();

const haveBind = await bindAvailable();

Deno.test("named-checkzone is installed (the reference for every case below)", () => {
  assert.ok(haveBind, "install bind9-utils: the differential test needs named-checkzone");
});

Deno.test("the corpus holds at least 60 cases, each with a header comment", () => {
  assert.ok(files.length >= 60, `only ${files.length} corpus files`);
  for (const f of files) {
    const first = Deno.readTextFileSync(join(CORPUS, f)).split("\n")[0] ?? "";
    assert.ok(/^;+ \S/.test(first), `${f} must start with a "; what it tests" comment`);
  }
});

Deno.test("every listed deviation names a corpus file", () => {
  for (const f of [...Object.keys(DEVIATIONS), ...Object.keys(WARNINGS)]) {
    assert.ok(files.includes(f), `${f} is listed but not in tests/corpus/`);
  }
});

Deno.test("the dump reader turns BIND's decimal escapes into Route 53's octal form", () => {
  assert.equal(bindNameToRoute53("a\\046b.Shop.TEST."), "a\\056b.shop.test.");
  assert.equal(bindNameToRoute53("sp\\032ace.shop.test."), "sp\\040ace.shop.test.");
  assert.equal(bindNameToRoute53("x\\@y.shop.test."), "x\\100y.shop.test.");
  assert.equal(bindNameToRoute53("*.eu.shop.test."), "*.eu.shop.test.");
  assert.equal(bindNameToRoute53("a*.shop.test."), "a\\052.shop.test.");
  assert.equal(bindNameToRoute53("caf\\195\\169.shop.test."), "caf\\303\\251.shop.test.");
});

Deno.test("the dump reader turns BIND's decimal escapes in RDATA into octal, other escapes kept", () => {
  assert.equal(bindEscapesToOctal('key667="hello\\210qoo"'), 'key667="hello\\322qoo"');
  assert.equal(bindEscapesToOctal('alpn="f\\\\oo\\,bar,h2"'), 'alpn="f\\\\oo\\,bar,h2"');
  assert.equal(bindEscapesToOctal('"\\\\210"'), '"\\\\210"');
  assert.equal(bindEscapesToOctal('"a\\032b"'), '"a\\040b"');
});

Deno.test("the dump reader splits owner, TTL, class, type and RDATA", () => {
  assert.deepEqual(parseBindDumpLine('www.shop.test.\t\t300 IN TXT\t"a b" "c"'), {
    owner: "www.shop.test.",
    ttl: 300,
    class: "IN",
    type: "TXT",
    rdata: '"a b" "c"',
  });
  assert.equal(parseBindDumpLine("; comment"), null);
  assert.throws(() => parseBindDumpLine("garbage"), SyntaxError);
});

/** name type → { ttl, count } from BIND's dump, names in Route 53's form. */
function bindSets(records: { owner: string; ttl: number; type: string }[]) {
  const sets = new Map<string, { ttl: number; count: number }>();
  for (const r of records) {
    const key = `${bindNameToRoute53(r.owner)} ${r.type}`;
    const s = sets.get(key);
    if (s) s.count++;
    else sets.set(key, { ttl: r.ttl, count: 1 });
  }
  return sets;
}

function ourSets(rrsets: RecordSet[]) {
  const sets = new Map<string, { ttl: number; count: number }>();
  for (const s of rrsets) sets.set(`${s.name} ${s.type}`, { ttl: s.ttl, count: s.values.length });
  return sets;
}

/**
 * Types whose value we write as BIND presents it (parameters in key order, values quoted
 * where BIND quotes them), so the values themselves are compared, not only counted.
 */
const PRESENTED_AS_BIND = new Set(["SVCB", "HTTPS"]);

/**
 * BIND's records as sets of their RDATA in Route 53's form: octal escapes, the target name
 * (second field) lower-cased.
 */
function bindAsSets(records: { owner: string; ttl: number; type: string; rdata: string }[]) {
  return records.map((r) => ({
    name: bindNameToRoute53(r.owner),
    type: r.type,
    ttl: r.ttl,
    values: [
      bindEscapesToOctal(r.rdata)
        .replace(/^(\d+ )(\S+)/, (_, p: string, t: string) => p + t.toLowerCase()),
    ],
  }));
}

/** "name type" → sorted values, for the types in PRESENTED_AS_BIND. */
function presentedValues(
  rrsets: { name: string; type: string; values: string[] }[],
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of rrsets) {
    if (!PRESENTED_AS_BIND.has(s.type)) continue;
    (out[`${s.name} ${s.type}`] ??= []).push(...s.values);
  }
  for (const values of Object.values(out)) values.sort();
  return out;
}

function sorted(rrsets: RecordSet[]): RecordSet[] {
  return [...rrsets].sort((a, b) => `${a.name} ${a.type}`.localeCompare(`${b.name} ${b.type}`));
}

function lines(list: { line: number }[]): number[] {
  return [...new Set(list.map((e) => e.line))].sort((a, b) => a - b);
}

for (const file of files) {
  const dev = DEVIATIONS[file];
  const label = dev
    ? `corpus ${file}: deviates from BIND on purpose (${dev.kind})`
    : `corpus ${file}: agrees with BIND`;
  Deno.test({
    name: label,
    async fn() {
      const path = join(CORPUS, file);
      const text = await Deno.readTextFile(path);
      const bind = await runBind(ZONE, path);
      // Through the `check` command's own file reader, as `check --json` would report
      // it: the zone is the file's base name, so the case is checked as a copy named
      // after the zone.
      const dir = await Deno.makeTempDir({ prefix: "bind_diff_" });
      let ours: CheckedZone;
      try {
        await Deno.copyFile(path, join(dir, ZONE));
        ours = await checkFile(join(dir, ZONE));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
      const show = () =>
        `\nBIND: ${JSON.stringify(bind.messages)}\nours: ${
          JSON.stringify({ errors: ours.errors, warnings: ours.warnings })
        }`;
      assert.equal(
        parseZone(text, { zone: ZONE }).format,
        "bind",
        `${basename(file)} must be read as BIND format`,
      );

      if (dev?.kind === "we-reject") {
        assert.ok(bind.ok, `BIND was expected to load ${file}${show()}`);
        assert.deepEqual(lines(ours.errors), dev.lines, `error lines${show()}`);
        return;
      }
      if (dev?.kind === "other-line") {
        assert.ok(!bind.ok, `BIND was expected to refuse ${file}${show()}`);
        assert.deepEqual(lines(ours.errors), dev.lines, `error lines${show()}`);
        return;
      }
      if (dev?.kind === "we-accept") {
        assert.ok(!bind.ok, `BIND was expected to refuse ${file}${show()}`);
        assert.deepEqual(ours.errors, [], `we load this on purpose: ${dev.reason}${show()}`);
        return;
      }

      if (!bind.ok) {
        assert.ok(ours.errors.length > 0, `BIND refuses ${file}; we must report an error${show()}`);
        const bindLine = bind.errors.find((e) => e.line !== null)?.line;
        if (bindLine !== undefined && bindLine !== null) {
          assert.ok(
            ours.errors.some((e) => e.line === bindLine),
            `BIND names line ${bindLine}; we must report an error there${show()}`,
          );
        }
        return;
      }

      assert.deepEqual(ours.errors, [], `BIND loads ${file}; we must too${show()}`);
      assert.deepEqual(
        Object.fromEntries(ourSets(ours.rrsets)),
        Object.fromEntries(bindSets(bind.records)),
        "record sets (name type → TTL and record count) must equal BIND's dump",
      );
      assert.deepEqual(lines(ours.warnings), WARNINGS[file]?.lines ?? [], `warning lines${show()}`);

      assert.deepEqual(
        presentedValues(ours.rrsets),
        presentedValues(bindAsSets(bind.records)),
        "SVCB and HTTPS values must be BIND's presentation, target name in lower case",
      );

      const again = parseZone(bind.dump, { zone: ZONE });
      assert.deepEqual(again.errors, [], `our parse of BIND's dump must succeed${show()}`);
      assert.deepEqual(
        sorted(again.rrsets),
        sorted(ours.rrsets),
        "parsing BIND's dump must give the same sets as parsing the original",
      );
    },
  });
}

Deno.test("a generated realistic zone of 3,000 records gives exactly BIND's sets", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bind_diff_gen_" });
  try {
    const path = join(dir, "bench.test");
    const text = [...zoneLines({ zone: "bench.test", records: 3000, seed: 7 })].join("\n") + "\n";
    await Deno.writeTextFile(path, text);
    const bind = await runBind("bench.test", path);
    assert.ok(bind.ok, `BIND must load the generated zone: ${JSON.stringify(bind.errors)}`);
    const ours = parseZone(text, { zone: "bench.test" });
    assert.deepEqual(ours.errors, []);
    assert.deepEqual(
      Object.fromEntries(ourSets(ours.rrsets)),
      Object.fromEntries(bindSets(bind.records)),
    );
    const again = parseZone(bind.dump, { zone: "bench.test" });
    assert.deepEqual(sorted(again.rrsets), sorted(ours.rrsets));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
