/**
 * Maps an HTTP method and path to one of the implemented operations, or explains what
 * was asked for when it is not one of them (reference §5.1).
 *
 * @module
 */

/** Names of the implemented operations (also the keys of the request statistics). */
export const OPERATIONS = [
  "CreateHostedZone",
  "GetHostedZone",
  "ListHostedZones",
  "ListHostedZonesByName",
  "ChangeResourceRecordSets",
  "ListResourceRecordSets",
  "GetChange",
  "DeleteHostedZone",
] as const;

/** One implemented operation. */
export type Operation = typeof OPERATIONS[number];

/** The result of routing: an operation with its path ID, or a refusal text. */
export type Route =
  | { ok: true; operation: Operation; id: string }
  | { ok: false; refusal: string };

/** A few Route 53 path families, to name what an unsupported request was probably for. */
const FAMILIES: Record<string, string> = {
  healthcheck: "health checks",
  healthcheckcount: "GetHealthCheckCount",
  delegationset: "reusable delegation sets",
  trafficpolicy: "traffic policies",
  trafficpolicies: "traffic policies",
  trafficpolicyinstance: "traffic policy instances",
  trafficpolicyinstances: "traffic policy instances",
  tags: "resource tags",
  hostedzonecount: "GetHostedZoneCount",
  hostedzonelimit: "GetHostedZoneLimit",
  queryloggingconfig: "query logging",
  checkeripranges: "GetCheckerIpRanges",
  geolocation: "GetGeoLocation",
  geolocations: "ListGeoLocations",
  accountlimit: "GetAccountLimit",
  cidrcollection: "CIDR collections",
  testdnsanswer: "TestDNSAnswer",
  reusabledelegationsetlimit: "GetReusableDelegationSetLimit",
  hostedzonesbyvpc: "ListHostedZonesByVPC",
};

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Routes a request.
 *
 * @example
 * ```ts
 * route("POST", "/2013-04-01/hostedzone/Z1/rrset/"); // ChangeResourceRecordSets, id Z1
 * ```
 */
export function route(method: string, path: string): Route {
  const parts = path.split("/").slice(1);
  // botocore posts to `…/rrset/`; the JS SDK to `…/rrset` (reference §1.5).
  if (parts.length === 5 && parts[3] === "rrset" && parts[4] === "") parts.pop();
  const [version, family, id, sub] = parts;
  const found = (operation: Operation): Route => ({ ok: true, operation, id: decode(id ?? "") });
  if (version === "2013-04-01") {
    if (family === "hostedzone" && parts.length === 2) {
      if (method === "POST") return found("CreateHostedZone");
      if (method === "GET") return found("ListHostedZones");
    }
    if (family === "hostedzone" && parts.length === 3 && id !== "") {
      if (method === "GET") return found("GetHostedZone");
      if (method === "DELETE") return found("DeleteHostedZone");
    }
    if (family === "hostedzone" && parts.length === 4 && id !== "" && sub === "rrset") {
      if (method === "POST") return found("ChangeResourceRecordSets");
      if (method === "GET") return found("ListResourceRecordSets");
    }
    if (family === "hostedzonesbyname" && parts.length === 2 && method === "GET") {
      return found("ListHostedZonesByName");
    }
    if (family === "change" && parts.length === 3 && id !== "" && method === "GET") {
      return found("GetChange");
    }
  }
  const guess = family === "hostedzone" && sub !== undefined && sub !== "rrset"
    ? `hosted-zone sub-resource '${sub}'`
    : FAMILIES[family ?? ""];
  return {
    ok: false,
    refusal: `route53-local does not implement ${method} ${path}${
      guess === undefined ? "" : ` (${guess})`
    }; it implements only ${OPERATIONS.join(", ")} of API version 2013-04-01`,
  };
}
