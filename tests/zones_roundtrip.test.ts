import { deepStrictEqual as eq } from "node:assert/strict";
import { formatZone } from "../lib/zones.ts";
import { parseZone } from "../lib/zones.ts";
import {
  canonicalRoute53Name,
  compareRoute53Order,
  parseName,
  toRoute53Name,
} from "../lib/zones.ts";
import { canonicalRoute53Value } from "../lib/route53.ts";
import { encodeBytes } from "../lib/zones.ts";
import type { RecordSet, RRType } from "../lib/zones.ts";
import { seededRandom } from "../testing/route53_local/random.ts";

/** mulberry32: a small seeded PRNG, so a failure can be replayed from its seed. */

const ZONE = "shop.test";

function gen(seed: number): RecordSet[] {
  const r = seededRandom(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const bytes = (n: number) => Array.from({ length: n }, () => pick([int(256), 97 + int(26)]));
  const label = () => {
    // mostly plain, sometimes any byte (space, dot, quote, backslash, UTF-8, upper-case)
    const b = r() < 0.7
      ? Array.from({ length: 1 + int(10) }, () => pick([...Array(26)].map((_, i) => 97 + i)))
      : bytes(1 + int(12));
    return b.map((x) => `\\${String(x).padStart(3, "0")}`).join("");
  };
  const owner = (wild: boolean) => {
    const labels = Array.from({ length: int(3) }, label);
    if (wild) labels.unshift("*");
    return labels.length === 0 ? "@" : labels.join(".");
  };
  const name = () =>
    canonicalRoute53Name(
      `${Array.from({ length: 1 + int(3) }, () => `l${int(99)}`).join(".")}.test`,
    );
  const hex = (n: number) => bytes(n).map((b) => b.toString(16).padStart(2, "0")).join("");
  const txt = () =>
    Array.from({ length: 1 + int(3) }, () => `"${encodeBytes(bytes(int(r() < 0.1 ? 256 : 40)))}"`)
      .join(" ");
  const values: Record<Exclude<RRType, "SOA" | "CNAME">, () => string> = {
    A: () => `${int(256)}.${int(256)}.${int(256)}.${int(256)}`,
    AAAA: () =>
      Array.from({ length: 8 }, () => (r() < 0.4 ? 0 : int(65536)).toString(16)).join(":"),
    CAA: () =>
      `${pick([0, 128])} ${pick(["issue", "issuewild", "iodef", "Tag7"])} "${
        encodeBytes(bytes(int(30)))
      }"`,
    DS: () => `${int(65536)} ${pick([8, 13])} 2 ${hex(32)}`,
    HTTPS: () =>
      `${1 + int(3)} ${name()} alpn=h2,h3 port=${int(65536)} ipv4hint=192.0.2.${int(256)}`,
    MX: () => `${int(65536)} ${name()}`,
    NAPTR: () => `${int(100)} ${int(100)} "u" "E2U+sip" "!^.*$!sip:${int(9)}@x!" .`,
    NS: () => name(),
    PTR: () => name(),
    SPF: txt,
    SRV: () => `${int(65536)} ${int(65536)} ${int(65536)} ${name()}`,
    SSHFP: () => `${1 + int(4)} 2 ${hex(32)}`,
    SVCB: () => `0 ${name()}`,
    TLSA: () => `${int(4)} ${int(2)} 1 ${hex(32)}`,
    TXT: txt,
  };
  const out = new Map<string, RecordSet>();
  const cnames = new Set<string>();
  for (let i = 0; i < 30; i++) {
    const isCname = r() < 0.1;
    const type: RRType = isCname ? "CNAME" : pick(Object.keys(values) as (keyof typeof values)[]);
    // zone-file presentation with decimal escapes, read as a zone file would read it
    const fqdn = parseName(owner(type !== "NS" && r() < 0.1), `${ZONE}.`, false);
    if ((type === "NS" || type === "DS") && fqdn === `${ZONE}.`) continue; // not at the apex
    if (fqdn === `${ZONE}.` && isCname) continue;
    const others = [...out.values()].some((s) => s.name === fqdn);
    if (isCname ? others : cnames.has(fqdn)) continue;
    const ttl = int(2147483648);
    if (isCname) {
      cnames.add(fqdn);
      out.set(`${fqdn} CNAME`, { name: fqdn, type, ttl, values: [name()] });
      continue;
    }
    const vals = Array.from(
      { length: 1 + int(4) },
      () => canonicalRoute53Value(type, values[type as keyof typeof values]()),
    );
    const key = `${fqdn} ${type}`;
    const prev = out.get(key);
    if (prev) prev.values.push(...vals);
    else out.set(key, { name: fqdn, type, ttl, values: vals });
  }
  const sets = [...out.values()];
  for (const s of sets) s.values = [...new Set(s.values)].sort();
  return sets.sort(compareRoute53Order);
}

Deno.test("formatZone() then parseZone() gives the same sets (200 generated zones)", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const sets = gen(seed);
    const text = formatZone(ZONE, sets, { comments: [`seed ${seed}`] });
    const r = parseZone(text, { zone: ZONE });
    eq(r.errors, [], `seed ${seed}: ${JSON.stringify(r.errors)}\n${text}`);
    eq(r.rrsets, sets, `seed ${seed}`);
  }
});

Deno.test("canonical names and values read back from Route 53 unchanged", () => {
  for (let seed = 1; seed <= 200; seed++) {
    for (const s of gen(seed)) {
      eq(canonicalRoute53Name(toRoute53Name(s.name)), s.name, `seed ${seed}`);
      for (const v of s.values) eq(canonicalRoute53Value(s.type, v), v, `seed ${seed} ${s.type}`);
    }
  }
});
