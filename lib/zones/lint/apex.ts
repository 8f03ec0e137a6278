/**
 * Warnings about the apex records Route 53 keeps for itself: the SOA, and the NS set,
 * which is not synced, so the registrar must list the zone's Route 53 name servers
 * whatever the file says.
 *
 * Without the zone's name servers (`check`, pre-receive) an apex NS set gets one warning
 * that it is ignored; the worker, which knows them from the domain row or the hosted
 * zone, warns only when the file names a server Route 53 does not use, and says what to
 * set at the registrar.
 *
 * @module
 */

import { headOf, type ZoneCollector } from "../collector.ts";
import type { ZoneProblem } from "../types.ts";

/** The apex NS set of a zone file: the line of its first record and its values. */
export interface ApexNs {
  line: number;
  /** Canonical names, with trailing dot. */
  values: string[];
}

/** The apex NS set the collector holds, or null. */
export function apexNsOf(c: ZoneCollector): ApexNs | null {
  for (let i = headOf(c, c.apex); i >= 0; i = c.next[i] ?? -1) {
    if (c.types[i] !== "NS") continue;
    const v = c.vals[i] as string | string[];
    return { line: c.lines[i] ?? 0, values: typeof v === "string" ? [v] : [...v] };
  }
  return null;
}

function bare(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** The warning for an apex NS set when the zone's Route 53 name servers are not known. */
export function apexNsIgnored(ns: ApexNs): ZoneProblem {
  return {
    line: ns.line,
    message: "the NS records at the zone apex are ignored: Route 53 serves the zone from its " +
      "own name servers, and those are what your registrar must list (the job log of the " +
      "push names them if these differ)",
  };
}

/**
 * The warning for an apex NS set that names servers the zone's Route 53 name servers
 * do not include, saying what to set at the registrar; null when it names none.
 *
 * @example
 * ```ts
 * apexNsMismatch({ line: 3, values: ["ns1.old.example."] }, ["ns-1.awsdns-01.org"]);
 * // { line: 3, message: "the apex NS records name ns1.old.example., …" }
 * ```
 */
export function apexNsMismatch(
  ns: ApexNs,
  nameservers: readonly string[],
): ZoneProblem | null {
  const ours = new Set(nameservers.map(bare));
  const other = ns.values.filter((v) => !ours.has(bare(v)));
  if (other.length === 0) return null;
  return {
    line: ns.line,
    message: `the apex NS records name ${other.join(", ")}, which ${
      other.length === 1 ? "is" : "are"
    } not among this zone's Route 53 name servers; apex NS records are not synced: set ${
      nameservers.join(", ")
    } at your registrar`,
  };
}

/**
 * The warning for the zone's SOA record; `minimumTtl` when its MINIMUM became the
 * default TTL because no `$TTL` came first (BIND does the same).
 */
export function soaIgnoredMessage(minimumTtl: number | null): string {
  const base = "the SOA record is ignored: Route 53 keeps its own SOA for the zone";
  return minimumTtl === null ? base : `${base}; but with no TTL on it and no $TTL before it, ` +
    `its MINIMUM ${minimumTtl} became the default TTL, as in BIND: write "$TTL ${minimumTtl}" ` +
    `at the top to say so`;
}
