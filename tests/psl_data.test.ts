/**
 * The embedded Public Suffix List cannot drift from the pinned package: the committed
 * lib/dns/public_suffixes.js is exactly what `deno task update-psl` writes, and the
 * ownership rule answers as the package's own lookup does for every rule of the list.
 */
import assert from "node:assert/strict";
import { getPublicSuffix } from "tldts";
import { OUTPUT_PATH, pslRules, renderModule } from "../tools/update_psl.ts";
import { isPublicSuffix } from "../lib/zones.ts";

Deno.test("lib/dns/public_suffixes.js is what `deno task update-psl` makes from the pinned tldts", async () => {
  const committed = await Deno.readTextFile(new URL(`../${OUTPUT_PATH}`, import.meta.url));
  assert.ok(
    committed === renderModule(),
    `${OUTPUT_PATH} differs from the pinned package's list: run \`deno task update-psl\``,
  );
});

Deno.test("the list has both sections, wildcards and exceptions", () => {
  const rules = new Set(pslRules());
  for (
    const rule of ["com", "co.uk", "gouv.fr", "github.io", "s3.amazonaws.com", "*.ck", "!www.ck"]
  ) {
    assert.ok(rules.has(rule), rule);
  }
});

/** Names that probe each rule: the rule's own name, a name under it, and for wildcards
 * and exceptions the names on either side of them. */
function probes(rule: string): string[] {
  if (rule.startsWith("!")) {
    const name = rule.slice(1);
    return [name, `a.${name}`];
  }
  if (rule.startsWith("*.")) {
    const base = rule.slice(2);
    return [base, `zz9.${base}`, `a.zz9.${base}`];
  }
  return [rule, `zz9.${rule}`];
}

Deno.test("isPublicSuffix() agrees with tldts's getPublicSuffix() on every rule of the list", () => {
  const disagreements: string[] = [];
  let probed = 0;
  for (const rule of pslRules()) {
    for (const name of probes(rule)) {
      probed += 1;
      const theirs = getPublicSuffix(name, { allowPrivateDomains: true }) === name;
      if (isPublicSuffix(name) !== theirs) disagreements.push(`${name}: tldts says ${theirs}`);
    }
  }
  assert.ok(probed > 20_000, `probed ${probed} names`);
  assert.deepEqual(disagreements.slice(0, 20), [], `${disagreements.length} disagreements`);
});
