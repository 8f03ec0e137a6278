/**
 * XML elements of Route 53 responses, children in the documented order
 * (docs/route53.md); optional members are left out when absent.
 *
 * @module
 */

import type { ChangeRecord, StoredSet, Zone } from "./model.ts";
import { countSets } from "./model.ts";
import { el, opt, type XmlElement } from "./xml.ts";

/** `HostedZone`: Id, Name, CallerReference, Config, ResourceRecordSetCount. */
export function hostedZoneXml(zone: Zone): XmlElement {
  return el("HostedZone", [
    el("Id", `/hostedzone/${zone.id}`),
    el("Name", zone.name),
    el("CallerReference", zone.callerReference),
    el("Config", [opt("Comment", zone.comment), el("PrivateZone", false)]),
    el("ResourceRecordSetCount", countSets(zone)),
  ]);
}

/**
 * `DelegationSet` with the four name servers (no trailing dots), and its `Id` only when
 * the zone was created with a reusable delegation set (reference §1.1).
 */
export function delegationSetXml(zone: Zone): XmlElement {
  return el("DelegationSet", [
    opt(
      "Id",
      zone.delegationSetId === undefined ? undefined : `/delegationset/${zone.delegationSetId}`,
    ),
    el("NameServers", zone.nameServers.map((ns) => el("NameServer", ns))),
  ]);
}

/**
 * `ChangeInfo`; `insync` says whether the change has reached INSYNC.
 */
export function changeInfoXml(change: ChangeRecord, insync: boolean): XmlElement {
  return el("ChangeInfo", [
    el("Id", `/change/${change.id}`),
    el("Status", insync ? "INSYNC" : "PENDING"),
    el("SubmittedAt", change.submittedAt),
    opt("Comment", change.comment),
  ]);
}

/** A `ResourceRecordSet` as ListResourceRecordSets returns it. */
export function recordSetXml(set: StoredSet): XmlElement {
  const geo = set.geoLocation;
  const prox = set.geoProximityLocation;
  return el("ResourceRecordSet", [
    el("Name", set.name),
    el("Type", set.type),
    opt("SetIdentifier", set.setIdentifier),
    opt("Weight", set.weight),
    opt("Region", set.region),
    geo === undefined ? undefined : el("GeoLocation", [
      opt("ContinentCode", geo.continentCode),
      opt("CountryCode", geo.countryCode),
      opt("SubdivisionCode", geo.subdivisionCode),
    ]),
    opt("Failover", set.failover),
    opt("MultiValueAnswer", set.multiValueAnswer),
    opt("TTL", set.ttl),
    set.values === undefined ? undefined : el(
      "ResourceRecords",
      set.values.map((v) => el("ResourceRecord", [el("Value", v)])),
    ),
    set.aliasTarget === undefined ? undefined : el("AliasTarget", [
      el("HostedZoneId", set.aliasTarget.hostedZoneId),
      el("DNSName", set.aliasTarget.dnsName),
      el("EvaluateTargetHealth", set.aliasTarget.evaluateTargetHealth),
    ]),
    opt("HealthCheckId", set.healthCheckId),
    set.cidrRoutingConfig === undefined ? undefined : el("CidrRoutingConfig", [
      el("CollectionId", set.cidrRoutingConfig.collectionId),
      el("LocationName", set.cidrRoutingConfig.locationName),
    ]),
    prox === undefined ? undefined : el("GeoProximityLocation", [
      opt("AWSRegion", prox.awsRegion),
      opt("LocalZoneGroup", prox.localZoneGroup),
      prox.coordinates === undefined ? undefined : el("Coordinates", [
        el("Latitude", prox.coordinates.latitude),
        el("Longitude", prox.coordinates.longitude),
      ]),
      opt("Bias", prox.bias),
    ]),
  ]);
}
