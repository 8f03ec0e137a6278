/**
 * ChangeResourceRecordSets semantics (docs/route53.md): changes are evaluated in
 * order against a scratch copy of the zone, every failure is collected, and the copy
 * replaces the zone only when there is none. Pure: zone data in, new data or messages out.
 *
 * @module
 */

import type { StoredSet } from "./model.ts";
import { setKey } from "./model.ts";
import type { ChangeInput } from "./request.ts";
import { describe, matchKey, policyOf, prepareSet } from "./set_rules.ts";
import { CLOUDFRONT_ZONE_ID, SERVICE_ALIAS_TYPES, SERVICE_ZONES } from "./service_targets.ts";

/** Request-wide limits (reference §2.5). */
export const MAX_RECORDS_PER_REQUEST = 1000;
/** Characters of all `Value` elements in one request. */
export const MAX_VALUE_CHARS_PER_REQUEST = 32000;
/** Sets sharing a name and type in one routing-policy group. */
export const MAX_SETS_PER_GROUP = 100;

export { CLOUDFRONT_ZONE_ID };

/** What a batch is evaluated against. */
export interface BatchContext {
  zoneId: string;
  /** Stored form with trailing dot. */
  zoneName: string;
  sets: ReadonlyMap<string, readonly StoredSet[]>;
  maxRecordSetsPerZone: number;
  /** Whether an ID names a hosted zone of this server (aliases cannot cross zones). */
  isLocalZone: (id: string) => boolean;
}

/** The result: the zone's new sets, or every failure text in change order. */
export type BatchOutcome =
  | { ok: true; sets: Map<string, StoredSet[]> }
  | { ok: false; messages: string[] };

/**
 * Checks the per-request limits, counting every `ResourceRecord` (an alias counts one)
 * and every value character, UPSERTs twice. Returns the failure texts (none if within).
 */
export function checkRequestLimits(changes: readonly ChangeInput[]): string[] {
  let records = 0;
  let chars = 0;
  for (const { action, set } of changes) {
    const weight = action === "UPSERT" ? 2 : 1;
    records += weight * (set.aliasTarget === undefined ? set.values?.length ?? 0 : 1);
    for (const v of set.values ?? []) chars += weight * v.length;
  }
  const out: string[] = [];
  if (records > MAX_RECORDS_PER_REQUEST) {
    out.push(`Number of records limit of ${MAX_RECORDS_PER_REQUEST} exceeded.`);
  }
  if (chars > MAX_VALUE_CHARS_PER_REQUEST) {
    out.push(`RDATA character limit of ${MAX_VALUE_CHARS_PER_REQUEST} exceeded.`);
  }
  return out;
}

/** Evaluates a batch; see the module documentation. */
export function evaluateBatch(ctx: BatchContext, changes: readonly ChangeInput[]): BatchOutcome {
  const scratch = new Map<string, StoredSet[]>();
  for (const [name, list] of ctx.sets) scratch.set(name, [...list]);
  const messages: string[] = [];
  const touched = new Map<string, string[]>();
  let count = 0;
  for (const list of scratch.values()) count += list.length;
  const initialCount = count;
  const z = ctx.zoneName;

  const at = (name: string): StoredSet[] => scratch.get(name) ?? [];
  const find = (set: StoredSet): StoredSet | undefined =>
    at(set.name).find((s) => setKey(s) === setKey(set));
  const replaceAt = (name: string, list: StoredSet[]): void => {
    if (list.length === 0) scratch.delete(name);
    else scratch.set(name, list);
  };

  /** Rules for a set about to exist (CREATE, or UPSERT of a new set). */
  const conflicts = (set: StoredSet): string[] => {
    const out: string[] = [];
    const n = set.name;
    const others = at(n);
    if (set.type === "CNAME" && n === z) {
      out.push(`RRSet of type CNAME with DNS name ${z} is not permitted at apex in zone ${z}`);
    } else if (set.type === "CNAME" && others.some((s) => s.type !== "CNAME")) {
      out.push(
        `RRSet of type CNAME with DNS name ${n} is not permitted as it conflicts with other records with the same DNS name in zone ${z}`,
      );
    } else if (set.type !== "CNAME" && others.some((s) => s.type === "CNAME")) {
      out.push(
        `RRSet of type ${set.type} with DNS name ${n} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${z}`,
      );
    }
    const group = others.filter((s) => s.type === set.type && setKey(s) !== setKey(set));
    if (group.length > 0) {
      if (set.setIdentifier === undefined && group.some((s) => s.setIdentifier !== undefined)) {
        // Route 53's text (chef-boneyard/route53 #100)
        out.push(
          `RRSet with DNS name ${n}, type ${set.type} cannot be created as other RRSets exist with the same name and type.`,
        );
      } else if (
        group.some((s) => (s.setIdentifier === undefined) !== (set.setIdentifier === undefined))
      ) {
        out.push(
          `RRSet ${describe(set)} cannot be combined with a set of the same name and type that ${
            set.setIdentifier === undefined ? "has" : "has no"
          } SetIdentifier (route53-local wording)`,
        );
      } else if (group.some((s) => policyOf(s) !== policyOf(set))) {
        out.push(
          `RRSet ${describe(set)} uses ${
            policyOf(set)
          } routing, but other sets of the same name and type use ${
            policyOf(group[0]!)
          } routing (route53-local wording)`,
        );
      } else if (set.weight !== undefined && group.some((s) => s.ttl !== set.ttl)) {
        out.push(
          `RRSet ${
            describe(set)
          } must have the same TTL as the other weighted sets of the same name and type (route53-local wording)`,
        );
      }
      if (group.length + 1 > MAX_SETS_PER_GROUP) {
        out.push(
          `RRSet ${
            describe(set)
          } would make more than ${MAX_SETS_PER_GROUP} sets with the same name and type (route53-local wording)`,
        );
      }
    }
    const alias = set.aliasTarget;
    if (alias !== undefined) {
      if (alias.hostedZoneId === ctx.zoneId) {
        const target = at(alias.dnsName).some((s) => s.type === set.type);
        if (!target) {
          out.push(
            `Tried to create an alias that targets ${alias.dnsName}, type ${set.type} in zone ${ctx.zoneId}, but that target was not found`,
          );
        }
      } else if (alias.hostedZoneId === CLOUDFRONT_ZONE_ID && alias.evaluateTargetHealth) {
        out.push(
          `RRSet ${
            describe(set)
          } is an alias to CloudFront, which cannot evaluate target health (route53-local wording)`,
        );
      } else if (ctx.isLocalZone(alias.hostedZoneId)) {
        out.push(
          `RRSet ${
            describe(set)
          } is an alias into hosted zone ${alias.hostedZoneId}, but an alias may only target its own hosted zone (route53-local wording)`,
        );
      } else {
        const service = SERVICE_ZONES.get(alias.hostedZoneId);
        if (service === undefined || !service.names.some((form) => form.test(alias.dnsName))) {
          // Route 53's text for a name outside the given zone, also seen for unknown ids
          // (barnybug/cli53 #213, GSA-TTS/dns #31)
          out.push(
            `Tried to create an alias that targets ${alias.dnsName}, type ${set.type} in zone ${alias.hostedZoneId}, but the alias target name does not lie within the target zone`,
          );
        } else if (!SERVICE_ALIAS_TYPES.includes(set.type)) {
          out.push(
            `RRSet ${describe(set)} is an alias to ${service.service}, which answers only ${
              SERVICE_ALIAS_TYPES.join(" and ")
            } (route53-local wording)`,
          );
        }
      }
    }
    return out;
  };

  const isSameZoneAlias = (s: StoredSet) => s.aliasTarget?.hostedZoneId === ctx.zoneId;
  for (const { action, set: input } of changes) {
    const prepared = prepareSet(input, ctx.zoneName);
    if (!("set" in prepared)) {
      messages.push(...prepared.problems);
      continue;
    }
    const set = prepared.set;
    const key = setKey(set);
    const prior = touched.get(key);
    touched.set(key, [...(prior ?? []), action]);
    // Only DELETE followed by CREATE (the replace pattern) may touch one set twice (§2.3).
    if (
      prior !== undefined && !(prior.length === 1 && prior[0] === "DELETE" && action === "CREATE")
    ) {
      messages.push(
        `The request contains an invalid set of changes for a resource record set '${set.type} ${set.name}'`,
      );
      continue;
    }
    const existing = find(set);
    if (action === "DELETE") {
      if (existing === undefined) {
        messages.push(`Tried to delete resource record set ${describe(set)} but it was not found`);
      } else if (matchKey(existing) !== matchKey(set)) {
        messages.push(
          `Tried to delete resource record set ${
            describe(set)
          } but the values provided do not match the current values`,
        );
      } else {
        replaceAt(set.name, at(set.name).filter((s) => setKey(s) !== key));
        count -= 1;
      }
      continue;
    }
    if (existing !== undefined) {
      if (action === "CREATE") {
        messages.push(`Tried to create resource record set ${describe(set)} but it already exists`);
        continue;
      }
      // An UPSERT with the same data keeps the stored text (reference §2.2, AAAA report).
      if (matchKey(existing) === matchKey(set)) continue;
      const problems = conflicts(set);
      if (problems.length > 0) {
        messages.push(...problems);
        continue;
      }
      replaceAt(set.name, at(set.name).map((s) => (setKey(s) === key ? set : s)));
      continue;
    }
    const problems = conflicts(set);
    if (problems.length > 0) {
      messages.push(...problems);
      continue;
    }
    replaceAt(set.name, [...at(set.name), set]);
    count += 1;
  }

  const apex = at(z);
  if (apex.filter((s) => s.type === "SOA").length !== 1) {
    messages.push("A HostedZone must contain exactly one SOA record.");
  }
  if (!apex.some((s) => s.type === "NS")) {
    messages.push("A HostedZone must contain at least one NS record for the zone itself.");
  }
  // A same-zone alias must not be left without its target. Checked on the final state,
  // so replacing a target with DELETE then CREATE in one batch stays possible; Route 53's
  // own behaviour here is not documented, so the refusal says so.
  for (const list of scratch.values()) {
    for (const alias of list.filter(isSameZoneAlias)) {
      const target = alias.aliasTarget?.dnsName ?? "";
      if (!at(target).some((s) => s.type === alias.type)) {
        messages.push(
          `Alias ${
            describe(alias)
          } would be left without its target ${target}, type ${alias.type} (route53-local refuses this; Route 53's behaviour is not documented)`,
        );
      }
    }
  }
  if (count > ctx.maxRecordSetsPerZone && count > initialCount) {
    messages.push(`Exceeded limit MAX_RRSETS_BY_ZONE for zone: ${ctx.zoneId}`);
  }
  return messages.length === 0 ? { ok: true, sets: scratch } : { ok: false, messages };
}
