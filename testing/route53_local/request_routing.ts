/**
 * The routing-policy members of a `ResourceRecordSet` (weight, region, geolocation,
 * failover, multivalue, CIDR, geoproximity): read, range-checked and stored as sent, so
 * sets the sync engine must leave alone survive a round trip unchanged.
 *
 * @module
 */

import { invalidRequest } from "./errors.ts";
import type { StoredSet } from "./model.ts";
import {
  booleanText,
  type Element,
  enumText,
  integerText,
  onlyChildren,
  optionalElement,
  optionalText,
  requiredText,
} from "./xml_read.ts";

/** The routing-policy members; a set with a SetIdentifier has exactly one of them. */
export const POLICIES = [
  "Weight",
  "Region",
  "GeoLocation",
  "Failover",
  "MultiValueAnswer",
  "CidrRoutingConfig",
  "GeoProximityLocation",
] as const;

/** Reads the routing-policy members; a SetIdentifier needs exactly one policy. */
export function readRouting(rrset: Element, set: StoredSet, where: string): void {
  const present = POLICIES.filter((p) => rrset[p] !== undefined);
  if (set.setIdentifier === undefined && present.length > 0) {
    throw invalidRequest(`${present.join(", ")} requires a SetIdentifier in ${where}`);
  }
  if (set.setIdentifier !== undefined && present.length !== 1) {
    throw invalidRequest(
      `A SetIdentifier requires exactly one of [${POLICIES.join(", ")}], but found ${
        present.length === 0 ? "none" : present.join(", ")
      } in ${where}`,
    );
  }
  const weight = optionalText(rrset, "Weight");
  if (weight !== undefined) set.weight = integerText(weight, 0, 255, "ResourceRecordSetWeight");
  const region = optionalText(rrset, "Region", 64, "ResourceRecordSetRegion");
  if (region !== undefined) {
    if (!/^[a-z]{2}(-[a-z]+)+-[0-9]+$/.test(region)) {
      throw invalidRequest(`Region '${region}' is not an AWS region name in ${where}`);
    }
    set.region = region;
  }
  const failover = optionalText(rrset, "Failover");
  if (failover !== undefined) {
    set.failover = enumText(failover, ["PRIMARY", "SECONDARY"] as const);
  }
  const multi = optionalText(rrset, "MultiValueAnswer");
  if (multi !== undefined) set.multiValueAnswer = booleanText(multi);
  const geo = optionalElement(rrset, "GeoLocation");
  if (geo !== undefined) {
    onlyChildren(geo, "GeoLocation", ["ContinentCode", "CountryCode", "SubdivisionCode"]);
    const continentCode = optionalText(geo, "ContinentCode", 2, "GeoLocationContinentCode");
    const countryCode = optionalText(geo, "CountryCode", 2, "GeoLocationCountryCode");
    const subdivisionCode = optionalText(geo, "SubdivisionCode", 3, "GeoLocationSubdivisionCode");
    if (continentCode === undefined && countryCode === undefined) {
      throw invalidRequest(`GeoLocation needs a ContinentCode or a CountryCode in ${where}`);
    }
    set.geoLocation = {
      ...(continentCode === undefined ? {} : { continentCode }),
      ...(countryCode === undefined ? {} : { countryCode }),
      ...(subdivisionCode === undefined ? {} : { subdivisionCode }),
    };
  }
  const cidr = optionalElement(rrset, "CidrRoutingConfig");
  if (cidr !== undefined) {
    onlyChildren(cidr, "CidrRoutingConfig", ["CollectionId", "LocationName"]);
    set.cidrRoutingConfig = {
      collectionId: requiredText(cidr, "CidrRoutingConfig", "CollectionId", 36, "UUID"),
      locationName: requiredText(
        cidr,
        "CidrRoutingConfig",
        "LocationName",
        16,
        "CidrLocationNameDefaultAllowed",
      ),
    };
  }
  const prox = optionalElement(rrset, "GeoProximityLocation");
  if (prox !== undefined) {
    onlyChildren(prox, "GeoProximityLocation", [
      "AWSRegion",
      "LocalZoneGroup",
      "Coordinates",
      "Bias",
    ]);
    const awsRegion = optionalText(prox, "AWSRegion", 64, "AWSRegion");
    const localZoneGroup = optionalText(prox, "LocalZoneGroup", 64, "LocalZoneGroup");
    const bias = optionalText(prox, "Bias");
    const coords = optionalElement(prox, "Coordinates");
    let coordinates: { latitude: string; longitude: string } | undefined;
    if (coords !== undefined) {
      onlyChildren(coords, "Coordinates", ["Latitude", "Longitude"]);
      coordinates = {
        latitude: requiredText(coords, "Coordinates", "Latitude", 6, "Latitude"),
        longitude: requiredText(coords, "Coordinates", "Longitude", 7, "Longitude"),
      };
    }
    const where2 = [awsRegion, localZoneGroup, coordinates].filter((x) => x !== undefined);
    if (where2.length !== 1) {
      throw invalidRequest(
        `GeoProximityLocation needs exactly one of [AWSRegion, LocalZoneGroup, Coordinates] in ${where}`,
      );
    }
    set.geoProximityLocation = {
      ...(awsRegion === undefined ? {} : { awsRegion }),
      ...(localZoneGroup === undefined ? {} : { localZoneGroup }),
      ...(coordinates === undefined ? {} : { coordinates }),
      ...(bias === undefined ? {} : { bias: integerText(bias, -99, 99, "GeoProximityBias") }),
    };
  }
}
