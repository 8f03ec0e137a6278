/**
 * Finishing a collected zone: the zone-wide checks (CNAME beside other data, SOA off
 * the apex, wildcard NS, apex DS), each set's values sorted and de-duplicated, and the
 * sets in Route 53's listing order with the apex SOA and NS left out.
 *
 * @module
 */

import type { RecordSet, RRType } from "../dns/record_set.ts";
import { headOf, tidy, type ZoneCollector } from "./collector.ts";
import { SELF_ZONE } from "../dns/alias.ts";

/**
 * Sort key of a name inside the zone, relative to the apex: its labels below the apex
 * reversed, each followed by a dot, the wildcard as Route 53 stores it (`\052`). Every
 * name shares the apex, so comparing these keys as strings is Route 53's order.
 */
function relativeSortKey(name: string, apex: string): string {
  if (name === apex) return "";
  if (apex === ".") return rootSortKey(name);
  // Labels are read from the right with lastIndexOf and sliced with their dot: far
  // cheaper than split/reverse/join at half a million names. Canonical labels hold no
  // bare dot (a dot inside a label is written \056).
  const end = name.length - apex.length;
  let dot = name.lastIndexOf(".", end - 2);
  if (dot < 0) return end === 2 && name.charCodeAt(0) === 42 ? "\\052." : name.slice(0, end);
  let key = "";
  let e = end - 1;
  while (true) {
    const s = dot + 1;
    key += s === 0 && e === 1 && name.charCodeAt(0) === 42 ? "\\052." : name.slice(s, e + 1);
    if (dot < 0) return key;
    e = dot;
    dot = name.lastIndexOf(".", dot - 1);
  }
}

/** {@linkcode relativeSortKey} in a zone at the root (kept as first written). */
function rootSortKey(name: string): string {
  const rel = name.slice(0, name.length - 1);
  const firstDot = rel.indexOf(".");
  if (firstDot === rel.length - 1) return rel === "*." ? "\\052." : rel;
  const labels = rel.slice(0, -1).split(".");
  if (labels[0] === "*") labels[0] = "\\052";
  return labels.reverse().join(".") + ".";
}

function checkNames(c: ZoneCollector): void {
  const { names, types, lines } = c;
  for (let i = 0; i < names.length; i++) {
    const line = lines[i] ?? 0;
    const name = names[i] as string;
    switch (types[i]) {
      case "CNAME": {
        if (name === c.apex) {
          c.errors.push({
            line,
            message: c.aliases.has(i)
              ? "CNAME alias at the zone apex: Route 53 refuses it; write `@ AWS ALIAS A <target> <hosted-zone-id> false` (and AAAA) instead"
              : "CNAME at the zone apex: Route 53 cannot hold it (use an A/AAAA record, or for a " +
                "load balancer, CloudFront or S3 website an alias: `@ AWS ALIAS A <target> <hosted-zone-id> false`)",
          });
          break;
        }
        for (let j = headOf(c, name); j >= 0; j = c.next[j] ?? -1) {
          if (j === i) continue;
          // on the later of the two lines: the record that made the conflict, as in BIND
          const other = lines[j] ?? 0;
          c.errors.push({
            line: Math.max(line, other),
            message: other > line
              ? `${
                types[j]
              } record beside the CNAME at ${name} (line ${line}): a CNAME allows no other data at its name`
              : `CNAME at ${name} beside its ${
                types[j]
              } record (line ${other}): a CNAME allows no other data at its name`,
          });
          break;
        }
        break;
      }
      case "SOA":
        if (name !== c.apex) {
          c.errors.push({ line, message: `SOA record not at the zone apex ${c.apex}` });
        }
        break;
      case "NS":
        if (name.startsWith("*.")) {
          c.errors.push({ line, message: "NS records cannot be wildcards in Route 53" });
        }
        break;
      case "DS":
        if (name === c.apex) {
          c.errors.push({
            line,
            message: "DS record at the zone apex: it belongs in the parent zone",
          });
        }
        break;
    }
  }
}

/** The set of type `type` at `name`, or -1. */
function setAt(c: ZoneCollector, name: string, type: string): number {
  for (let j = headOf(c, name); j >= 0; j = c.next[j] ?? -1) if (c.types[j] === type) return j;
  return -1;
}

/**
 * `$self` aliases: the target must be a set of the alias's type in this file (plain,
 * or itself an alias), and following such targets must not come back to the alias.
 */
function checkSelfAliases(c: ZoneCollector): void {
  for (const [i, alias] of c.aliases) {
    if (alias.zoneId !== SELF_ZONE) continue;
    const type = c.types[i] as string;
    const line = c.lines[i] ?? 0;
    let j = setAt(c, alias.target, type);
    if (j < 0) {
      c.errors.push({
        line,
        message:
          `the $self alias target ${alias.target} has no ${type} records in this file: add them, or point the alias at a name that has them`,
      });
      continue;
    }
    for (let hops = 0; j >= 0 && hops <= c.aliases.size; hops++) {
      if (j === i) {
        c.errors.push({
          line,
          message: `the ${type} alias at ${
            c.names[i]
          } leads back to itself through $self targets: point one of them at plain records`,
        });
        break;
      }
      const next = c.aliases.get(j);
      j = next?.zoneId === SELF_ZONE ? setAt(c, next.target, type) : -1;
    }
  }
}

/** Zone-wide checks, then the sets de-duplicated and in Route 53 listing order. */
export function finish(c: ZoneCollector): RecordSet[] {
  checkNames(c);
  if (c.aliases.size !== 0) checkSelfAliases(c);
  const { names, types, ttls, vals, lines } = c;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (typeof v === "string" || v === undefined) continue;
    tidy(v);
    if (v.length > c.limits.maxValuesPerSet) {
      c.errors.push({
        line: lines[i] ?? 0,
        message: `${types[i]} set at ${
          names[i]
        } has ${v.length} values; Route 53 allows ${c.limits.maxValuesPerSet}`,
      });
    }
  }
  const heads = c.heads, headCount = c.headCount;
  const keys: string[] = new Array(headCount);
  const order: number[] = new Array(headCount);
  for (let k = 0; k < headCount; k++) {
    keys[k] = relativeSortKey(names[heads[k] as number] as string, c.apex);
    order[k] = k;
  }
  order.sort((a, b) => {
    const ka = keys[a] as string, kb = keys[b] as string;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  // The objects are made in set order (sequential reads of the columns, neighbouring
  // objects in memory), then picked in listing order: one scattered read per set.
  const recs: RecordSet[] = new Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const v = vals[i] as string | string[];
    recs[i] = {
      name: names[i] as string,
      type: types[i] as RRType,
      ttl: ttls[i] as number,
      values: typeof v === "string" ? [v] : v,
    };
  }
  for (const [i, alias] of c.aliases) {
    const r = recs[i] as RecordSet;
    r.values = [];
    r.alias = alias;
  }
  const out: RecordSet[] = [];
  const here: number[] = [];
  for (const k of order) {
    const first = heads[k] as number;
    const name = names[first] as string;
    here.length = 0;
    for (let j = first; j >= 0; j = c.next[j] ?? -1) {
      const t = types[j];
      if (name === c.apex && (t === "SOA" || t === "NS")) continue;
      here.push(j);
    }
    // by type; a name has a few sets (one per type), so an insertion sort is cheapest
    for (let x = 1; x < here.length; x++) {
      const j = here[x] as number, t = types[j] as string;
      let y = x - 1;
      for (; y >= 0 && (types[here[y] as number] as string) > t; y--) {
        here[y + 1] = here[y] as number;
      }
      here[y + 1] = j;
    }
    for (const j of here) {
      const r = recs[j] as RecordSet;
      r.name = name; // one string per owner name, as in the owner table
      out.push(r);
    }
  }
  if (out.length > c.limits.maxRecordSets && !c.tooManySets) {
    c.errors.push({
      line: 0,
      message:
        `more than ${c.limits.maxRecordSets} record sets: Route 53's quota for one zone is exceeded`,
    });
  }
  return out;
}
