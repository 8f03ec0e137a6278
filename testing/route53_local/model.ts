/**
 * Plain data kept by the local server: hosted zones, their record sets in stored form,
 * submitted changes and burnt caller references.
 *
 * @module
 */

import type { RRType } from "./values.ts";

/** `AliasTarget` as stored: bare zone ID, DNS name in stored form. */
export interface AliasTarget {
  hostedZoneId: string;
  dnsName: string;
  evaluateTargetHealth: boolean;
}

/** `GeoLocation` of a geolocation routing set. */
export interface GeoLocation {
  continentCode?: string;
  countryCode?: string;
  subdivisionCode?: string;
}

/** `CidrRoutingConfig` of an IP-based routing set. */
export interface CidrRoutingConfig {
  collectionId: string;
  locationName: string;
}

/** `GeoProximityLocation` of a geoproximity routing set. */
export interface GeoProximityLocation {
  awsRegion?: string;
  localZoneGroup?: string;
  coordinates?: { latitude: string; longitude: string };
  bias?: number;
}

/**
 * A record set exactly as Route 53 keeps it: `name` in stored form, values verbatim.
 * Either `ttl` and `values` (plain) or `aliasTarget` (alias) is present.
 */
export interface StoredSet {
  name: string;
  type: RRType;
  setIdentifier?: string;
  weight?: number;
  region?: string;
  geoLocation?: GeoLocation;
  failover?: "PRIMARY" | "SECONDARY";
  multiValueAnswer?: boolean;
  ttl?: number;
  values?: string[];
  aliasTarget?: AliasTarget;
  healthCheckId?: string;
  cidrRoutingConfig?: CidrRoutingConfig;
  geoProximityLocation?: GeoProximityLocation;
}

/** A hosted zone. `sets` maps a stored name to the sets at that name. */
export interface Zone {
  id: string;
  name: string;
  callerReference: string;
  comment?: string;
  nameServers: string[];
  /** The reusable delegation set the zone was created with, if any. */
  delegationSetId?: string;
  sets: Map<string, StoredSet[]>;
}

/** A submitted change (zone creation, record change, zone deletion). */
export interface ChangeRecord {
  id: string;
  submittedAt: string;
  comment?: string;
}

/** Everything the server knows; what `--state FILE` persists. */
export interface State {
  zones: Map<string, Zone>;
  callerReferences: Set<string>;
  changes: Map<string, ChangeRecord>;
}

/** An empty state. */
export function emptyState(): State {
  return { zones: new Map(), callerReferences: new Set(), changes: new Map() };
}

/** Identity of a set inside a zone: name, type and SetIdentifier. */
export function setKey(set: Pick<StoredSet, "name" | "type" | "setIdentifier">): string {
  return `${set.name} ${set.type} ${set.setIdentifier ?? ""}`;
}

/** Number of record sets in a zone (SOA and NS included, like ResourceRecordSetCount). */
export function countSets(zone: Pick<Zone, "sets">): number {
  let n = 0;
  for (const list of zone.sets.values()) n += list.length;
  return n;
}
