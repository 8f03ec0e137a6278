/**
 * Hosted-zone bookkeeping: creating a zone with its delegation set and apex NS/SOA,
 * burning caller references, recording changes, deleting a zone. Operates on the
 * in-memory {@linkcode State}; persistence is in persist.ts.
 *
 * @module
 */

import { Route53Error } from "./errors.ts";
import type { ChangeRecord, State, StoredSet, Zone } from "./model.ts";
import { countSets } from "./model.ts";
import { normaliseName, storedLabels } from "./names.ts";
import { type Random, randomId, randomInt } from "./random.ts";
import type { CreateZoneInput } from "./request.ts";

/** Zone-level settings of the server. */
export interface StoreLimits {
  maxHostedZones: number;
  reservedNames: boolean;
  /** The reusable delegation sets the server was started with: ID → four name servers. */
  delegationSets: ReadonlyMap<string, readonly string[]>;
}

/** TTLs of the sets Route 53 creates in a new public zone (reference §1.1). */
export const APEX_NS_TTL = 172800;
/** TTL of the apex SOA. */
export const APEX_SOA_TTL = 900;

/** Names AWS refuses as zones when reserved-name checking is on (IANA special use). */
const RESERVED_SUFFIXES = [
  "example.com.",
  "example.net.",
  "example.org.",
  "example.",
  "test.",
  "invalid.",
  "localhost.",
];

/** Four name servers, one under each of .com, .net, .org and .co.uk, without dots. */
export function makeNameServers(random: Random): string[] {
  return ["com", "net", "org", "co.uk"].map((tld) =>
    `ns-${randomInt(2048, random)}.awsdns-${String(randomInt(64, random)).padStart(2, "0")}.${tld}`
  );
}

/** The apex NS and SOA sets of a new zone. */
export function apexSets(zoneName: string, nameServers: readonly string[]): StoredSet[] {
  return [
    { name: zoneName, type: "NS", ttl: APEX_NS_TTL, values: nameServers.map((ns) => `${ns}.`) },
    {
      name: zoneName,
      type: "SOA",
      ttl: APEX_SOA_TTL,
      values: [`${nameServers[0]}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`],
    },
  ];
}

/** Records a new change and returns it. */
export function recordChange(
  state: State,
  random: Random,
  now: Date,
  comment?: string,
): ChangeRecord {
  let id = randomId("C", random);
  while (state.changes.has(id)) id = randomId("C", random);
  const change: ChangeRecord = {
    id,
    submittedAt: now.toISOString(),
    ...(comment === undefined ? {} : { comment }),
  };
  state.changes.set(id, change);
  return change;
}

/**
 * Creates a public hosted zone. The caller reference is burnt before anything else can
 * fail late, and stays burnt after the zone is deleted (reference §1.1).
 */
export function createZone(
  state: State,
  input: CreateZoneInput,
  limits: StoreLimits,
  random: Random,
  now: Date,
): { zone: Zone; change: ChangeRecord } {
  const delegationSet = input.delegationSetId === undefined
    ? undefined
    : limits.delegationSets.get(input.delegationSetId);
  if (input.delegationSetId !== undefined && delegationSet === undefined) {
    // The code is Route 53's; the text is ours (the reference gives none).
    throw new Route53Error(
      "NoSuchDelegationSet",
      `route53-local: no delegation set ${input.delegationSetId} (start it with --delegation-set)`,
    );
  }
  if (input.vpc || input.privateZone) {
    throw new Route53Error(
      "InvalidInput",
      "route53-local does not implement private hosted zones (VPC, PrivateZone=true)",
    );
  }
  const name = normaliseName(input.name);
  if (!name.ok) throw new Route53Error("InvalidDomainName", name.problem);
  const labels = storedLabels(name.stored);
  if (labels.length < 2) {
    throw new Route53Error(
      "InvalidDomainName",
      `${input.name} is a top-level domain and cannot be a hosted zone`,
    );
  }
  if (labels[0] === "\\052") {
    throw new Route53Error("InvalidDomainName", `${input.name} may not start with a * label`);
  }
  if (limits.reservedNames) {
    const reserved = RESERVED_SUFFIXES.find((s) =>
      name.stored === s || name.stored.endsWith(`.${s}`)
    );
    if (reserved !== undefined) {
      throw new Route53Error(
        "InvalidDomainName",
        `${name.stored.slice(0, -1)} is reserved by AWS!`,
      );
    }
  }
  if (state.callerReferences.has(input.callerReference)) {
    throw new Route53Error(
      "HostedZoneAlreadyExists",
      "A hosted zone has already been created with the specified caller reference.",
      409,
    );
  }
  if (state.zones.size >= limits.maxHostedZones) {
    throw new Route53Error(
      "TooManyHostedZones",
      `This operation would exceed the limit of ${limits.maxHostedZones} hosted zones for the account.`,
    );
  }
  state.callerReferences.add(input.callerReference);
  let id = randomId("Z", random);
  while (state.zones.has(id)) id = randomId("Z", random);
  const nameServers = delegationSet === undefined ? makeNameServers(random) : [...delegationSet];
  const zone: Zone = {
    id,
    name: name.stored,
    callerReference: input.callerReference,
    ...(input.comment === undefined ? {} : { comment: input.comment }),
    nameServers,
    ...(input.delegationSetId === undefined ? {} : { delegationSetId: input.delegationSetId }),
    sets: new Map([[name.stored, apexSets(name.stored, nameServers)]]),
  };
  state.zones.set(id, zone);
  return { zone, change: recordChange(state, random, now) };
}

/** Looks a zone up by bare ID, or throws 404 `NoSuchHostedZone`. */
export function getZone(state: State, id: string): Zone {
  const zone = state.zones.get(id);
  if (zone === undefined) {
    throw new Route53Error("NoSuchHostedZone", `No hosted zone found with ID: ${id}`, 404);
  }
  return zone;
}

/** Deletes a zone holding only its apex SOA and NS sets (reference §1.8). */
export function deleteZone(state: State, id: string, random: Random, now: Date): ChangeRecord {
  const zone = getZone(state, id);
  const apexOnly = zone.sets.size === 1 &&
    (zone.sets.get(zone.name) ?? []).every((s) => s.type === "SOA" || s.type === "NS") &&
    countSets(zone) === 2;
  if (!apexOnly) {
    throw new Route53Error(
      "HostedZoneNotEmpty",
      "The specified hosted zone contains non-required resource record sets and so cannot be deleted.",
    );
  }
  state.zones.delete(id);
  return recordChange(state, random, now);
}
