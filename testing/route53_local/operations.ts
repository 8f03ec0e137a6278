/**
 * The eight implemented operations: each takes the parsed HTTP request parts and the
 * server state and returns the XML reply. Errors are thrown as `Route53Error`.
 *
 * @module
 */

import { checkRequestLimits, evaluateBatch } from "./batch.ts";
import { invalidChangeBatch, Route53Error } from "./errors.ts";
import { recordSetPage, type SortedSets, sortSets, zoneByNamePage, zonePage } from "./listing.ts";
import type { State } from "./model.ts";
import type { Random } from "./random.ts";
import { parseChangeBatch, parseCreateZone } from "./request.ts";
import { changeInfoXml, delegationSetXml, hostedZoneXml, recordSetXml } from "./responses.ts";
import { createZone, deleteZone, getZone, recordChange } from "./store.ts";
import { el, opt, type XmlElement } from "./xml.ts";

/** What the operations need besides the request. */
export interface OperationContext {
  state: State;
  random: Random;
  now: () => Date;
  insyncAfterMs: number;
  maxRecordSetsPerZone: number;
  maxHostedZones: number;
  reservedNames: boolean;
  delegationSets: ReadonlyMap<string, readonly string[]>;
  /** Listing order per zone, rebuilt only after the zone's sets change. */
  sortedCache: WeakMap<object, SortedSets>;
}

/** An operation's reply: status, root element, extra headers, whether state changed. */
export interface Reply {
  status: number;
  body: XmlElement;
  headers?: Record<string, string>;
  changed?: boolean;
}

/** The request parts an operation reads. */
export interface OperationRequest {
  /** Path parameter (zone or change ID), percent-decoded, never prefix-stripped. */
  id: string;
  query: URLSearchParams;
  body: string;
}

/** CreateHostedZone: 201 with a Location header. */
export function createHostedZone(ctx: OperationContext, req: OperationRequest): Reply {
  const input = parseCreateZone(req.body);
  const { zone, change } = createZone(
    ctx.state,
    input,
    {
      maxHostedZones: ctx.maxHostedZones,
      reservedNames: ctx.reservedNames,
      delegationSets: ctx.delegationSets,
    },
    ctx.random,
    ctx.now(),
  );
  return {
    status: 201,
    headers: { Location: `https://route53.amazonaws.com/2013-04-01/hostedzone/${zone.id}` },
    body: el("CreateHostedZoneResponse", [
      hostedZoneXml(zone),
      changeInfoXml(change, false),
      delegationSetXml(zone),
    ]),
    changed: true,
  };
}

/** GetHostedZone. */
export function getHostedZone(ctx: OperationContext, req: OperationRequest): Reply {
  const zone = getZone(ctx.state, req.id);
  return {
    status: 200,
    body: el("GetHostedZoneResponse", [hostedZoneXml(zone), delegationSetXml(zone)]),
  };
}

/** ListHostedZones. */
export function listHostedZones(ctx: OperationContext, req: OperationRequest): Reply {
  const page = zonePage(ctx.state.zones.values(), req.query);
  const marker = req.query.get("marker");
  return {
    status: 200,
    body: el("ListHostedZonesResponse", [
      el("HostedZones", page.zones.map(hostedZoneXml)),
      opt("Marker", marker ?? undefined),
      el("IsTruncated", page.next !== undefined),
      opt("NextMarker", page.next?.id),
      el("MaxItems", page.maxItems),
    ]),
  };
}

/** ListHostedZonesByName. */
export function listHostedZonesByName(ctx: OperationContext, req: OperationRequest): Reply {
  const page = zoneByNamePage(ctx.state.zones.values(), req.query);
  return {
    status: 200,
    body: el("ListHostedZonesByNameResponse", [
      el("HostedZones", page.zones.map(hostedZoneXml)),
      opt("DNSName", req.query.get("dnsname") ?? undefined),
      opt("HostedZoneId", req.query.get("hostedzoneid") ?? undefined),
      el("IsTruncated", page.next !== undefined),
      opt("NextDNSName", page.next?.name),
      opt("NextHostedZoneId", page.next?.id),
      el("MaxItems", page.maxItems),
    ]),
  };
}

/**
 * ChangeResourceRecordSets. Parsing, evaluation and commit run without an `await`, so
 * two batches for one zone can never interleave: changes are serialised per zone.
 */
export function changeResourceRecordSets(ctx: OperationContext, req: OperationRequest): Reply {
  const zone = getZone(ctx.state, req.id);
  const batch = parseChangeBatch(req.body);
  const limits = checkRequestLimits(batch.changes);
  if (limits.length > 0) throw invalidChangeBatch(limits);
  const outcome = evaluateBatch({
    zoneId: zone.id,
    zoneName: zone.name,
    sets: zone.sets,
    maxRecordSetsPerZone: ctx.maxRecordSetsPerZone,
    isLocalZone: (id) => ctx.state.zones.has(id),
  }, batch.changes);
  if (!outcome.ok) throw invalidChangeBatch(outcome.messages);
  zone.sets = outcome.sets;
  const change = recordChange(ctx.state, ctx.random, ctx.now(), batch.comment);
  return {
    status: 200,
    body: el("ChangeResourceRecordSetsResponse", [changeInfoXml(change, false)]),
    changed: true,
  };
}

/** ListResourceRecordSets. */
export function listResourceRecordSets(ctx: OperationContext, req: OperationRequest): Reply {
  const zone = getZone(ctx.state, req.id);
  let sorted = ctx.sortedCache.get(zone.sets);
  if (sorted === undefined) {
    sorted = sortSets(zone.sets.values());
    ctx.sortedCache.set(zone.sets, sorted);
  }
  const page = recordSetPage(sorted, req.query);
  return {
    status: 200,
    body: el("ListResourceRecordSetsResponse", [
      el("ResourceRecordSets", page.sets.map(recordSetXml)),
      el("IsTruncated", page.next !== undefined),
      opt("NextRecordName", page.next?.name),
      opt("NextRecordType", page.next?.type),
      opt("NextRecordIdentifier", page.next?.setIdentifier),
      el("MaxItems", page.maxItems),
    ]),
  };
}

/** GetChange: PENDING until `insyncAfterMs` after submission, then INSYNC. */
export function getChange(ctx: OperationContext, req: OperationRequest): Reply {
  const change = ctx.state.changes.get(req.id);
  if (change === undefined) {
    throw new Route53Error("NoSuchChange", `Could not find resource with ID: ${req.id}`, 404);
  }
  const age = ctx.now().getTime() - Date.parse(change.submittedAt);
  return {
    status: 200,
    body: el("GetChangeResponse", [changeInfoXml(change, age >= ctx.insyncAfterMs)]),
  };
}

/** DeleteHostedZone. */
export function deleteHostedZone(ctx: OperationContext, req: OperationRequest): Reply {
  const change = deleteZone(ctx.state, req.id, ctx.random, ctx.now());
  return {
    status: 200,
    body: el("DeleteHostedZoneResponse", [changeInfoXml(change, false)]),
    changed: true,
  };
}
