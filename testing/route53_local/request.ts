/**
 * The two request bodies the server reads (CreateHostedZoneRequest and
 * ChangeResourceRecordSetsRequest), checked against the schema and turned into plain
 * data. Names are kept as sent here; batch evaluation normalises them.
 *
 * @module
 */

import { invalidRequest, Route53Error } from "./errors.ts";
import type { StoredSet } from "./model.ts";
import { readRouting } from "./request_routing.ts";
import { RR_TYPES } from "./values.ts";
import {
  booleanText,
  type Element,
  element,
  enumText,
  integerText,
  list,
  missing,
  onlyChildren,
  optionalElement,
  optionalText,
  parseRoot,
  requiredText,
} from "./xml_read.ts";

/** A parsed CreateHostedZone body. */
export interface CreateZoneInput {
  name: string;
  callerReference: string;
  comment?: string;
  privateZone: boolean;
  vpc: boolean;
  delegationSetId?: string;
}

/** Parses a CreateHostedZoneRequest body. */
export function parseCreateZone(body: string): CreateZoneInput {
  const root = parseRoot(
    body,
    "CreateHostedZoneRequest",
    "Request is not valid, expected CreateHostedZoneRequest",
  );
  onlyChildren(root, "CreateHostedZoneRequest", [
    "Name",
    "VPC",
    "CallerReference",
    "HostedZoneConfig",
    "DelegationSetId",
  ]);
  const name = requiredText(root, "CreateHostedZoneRequest", "Name", 1024, "DNSName");
  const callerReference = requiredText(
    root,
    "CreateHostedZoneRequest",
    "CallerReference",
    128,
    "Nonce",
  );
  if (callerReference.length === 0) {
    throw invalidRequest("CallerReference must have at least 1 character");
  }
  const config = optionalElement(root, "HostedZoneConfig");
  let comment: string | undefined;
  let privateZone = false;
  if (config !== undefined) {
    onlyChildren(config, "HostedZoneConfig", ["Comment", "PrivateZone"]);
    comment = optionalText(config, "Comment", 256, "ResourceDescription");
    const p = optionalText(config, "PrivateZone");
    privateZone = p === undefined ? false : booleanText(p);
  }
  const delegationSetId = optionalText(root, "DelegationSetId", 32, "ResourceId");
  return {
    name,
    callerReference,
    ...(comment === undefined ? {} : { comment }),
    privateZone,
    vpc: root["VPC"] !== undefined,
    ...(delegationSetId === undefined ? {} : { delegationSetId }),
  };
}

/** One `Change`: its action and record set (name and alias DNS name as sent). */
export interface ChangeInput {
  action: "CREATE" | "DELETE" | "UPSERT";
  set: StoredSet;
}

/** A parsed ChangeResourceRecordSets body. */
export interface ChangeBatchInput {
  changes: ChangeInput[];
  comment?: string;
}

const SET_MEMBERS = [
  "Name",
  "Type",
  "SetIdentifier",
  "Weight",
  "Region",
  "GeoLocation",
  "Failover",
  "MultiValueAnswer",
  "TTL",
  "ResourceRecords",
  "AliasTarget",
  "HealthCheckId",
  "TrafficPolicyInstanceId",
  "CidrRoutingConfig",
  "GeoProximityLocation",
] as const;

/**
 * Parses a ChangeResourceRecordSetsRequest body. The JS SDK sends `Changes` before
 * `Comment`, so member order is never checked (reference §2.1).
 */
export function parseChangeBatch(body: string): ChangeBatchInput {
  const root = parseRoot(
    body,
    "ChangeResourceRecordSetsRequest",
    "ChangeBatch is not valid, expected ChangeResourceRecordSetsRequest",
  );
  onlyChildren(root, "ChangeResourceRecordSetsRequest", ["ChangeBatch"]);
  const batchValue = root["ChangeBatch"];
  if (batchValue === undefined) throw missing("ChangeResourceRecordSetsRequest", "ChangeBatch");
  const batch = element(batchValue, "ChangeBatch");
  onlyChildren(batch, "ChangeBatch", ["Comment", "Changes"]);
  const comment = optionalText(batch, "Comment", 256, "ResourceDescription");
  const changesValue = batch["Changes"];
  if (changesValue === undefined) throw missing("ChangeBatch", "Changes");
  const changesElement = element(changesValue, "Changes");
  onlyChildren(changesElement, "Changes", ["Change"]);
  const items = list(changesElement, "Change");
  if (items.length === 0) throw missing("Changes", "Change");
  const changes = items.map((item) => parseChange(element(item, "Change")));
  return { changes, ...(comment === undefined ? {} : { comment }) };
}

function parseChange(change: Element): ChangeInput {
  onlyChildren(change, "Change", ["Action", "ResourceRecordSet"]);
  const action = enumText(
    requiredText(change, "Change", "Action"),
    [
      "CREATE",
      "DELETE",
      "UPSERT",
    ] as const,
  );
  const setValue = change["ResourceRecordSet"];
  if (setValue === undefined) throw missing("Change", "ResourceRecordSet");
  const rrset = element(setValue, "ResourceRecordSet");
  onlyChildren(rrset, "ResourceRecordSet", SET_MEMBERS);
  const name = requiredText(rrset, "ResourceRecordSet", "Name", 1024, "DNSName");
  const type = enumText(requiredText(rrset, "ResourceRecordSet", "Type"), RR_TYPES);
  const setIdentifier = optionalText(rrset, "SetIdentifier", 128, "ResourceRecordSetIdentifier");
  const where = `Change with [Action=${action}, Name=${name}, Type=${type}, SetIdentifier=${
    setIdentifier ?? "null"
  }]`;

  const hasAlias = rrset["AliasTarget"] !== undefined;
  const hasPlain = rrset["TTL"] !== undefined && rrset["ResourceRecords"] !== undefined;
  const hasPolicyInstance = rrset["TrafficPolicyInstanceId"] !== undefined;
  const kinds = [hasAlias, hasPlain, hasPolicyInstance].filter(Boolean).length;
  const partialPlain = !hasPlain &&
    (rrset["TTL"] !== undefined || rrset["ResourceRecords"] !== undefined);
  if (kinds !== 1 || (partialPlain && hasAlias)) {
    throw invalidRequest(
      `Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found ${
        kinds === 0 ? "none" : "more than one"
      } in ${where}`,
    );
  }
  if (hasPolicyInstance) {
    throw new Route53Error(
      "InvalidInput",
      `route53-local does not implement traffic policy records (TrafficPolicyInstanceId) in ${where}`,
    );
  }

  const set: StoredSet = { name, type };
  if (setIdentifier !== undefined) {
    if (setIdentifier.length === 0) {
      throw invalidRequest(`SetIdentifier must have at least 1 character in ${where}`);
    }
    set.setIdentifier = setIdentifier;
  }
  readRouting(rrset, set, where);
  if (hasAlias) {
    const alias = element(rrset["AliasTarget"], "AliasTarget");
    onlyChildren(alias, "AliasTarget", ["HostedZoneId", "DNSName", "EvaluateTargetHealth"]);
    set.aliasTarget = {
      hostedZoneId: requiredText(alias, "AliasTarget", "HostedZoneId", 32, "ResourceId"),
      dnsName: requiredText(alias, "AliasTarget", "DNSName", 1024, "DNSName"),
      evaluateTargetHealth: booleanText(
        requiredText(alias, "AliasTarget", "EvaluateTargetHealth"),
      ),
    };
  } else {
    set.ttl = integerText(requiredText(rrset, "ResourceRecordSet", "TTL"), 0, 2147483647, "TTL");
    const records = element(rrset["ResourceRecords"], "ResourceRecords");
    onlyChildren(records, "ResourceRecords", ["ResourceRecord"]);
    const items = list(records, "ResourceRecord");
    if (items.length === 0) throw missing("ResourceRecords", "ResourceRecord");
    set.values = items.map((item) => {
      const record = element(item, "ResourceRecord");
      onlyChildren(record, "ResourceRecord", ["Value"]);
      return requiredText(record, "ResourceRecord", "Value", 4000, "RData");
    });
  }
  const healthCheckId = optionalText(rrset, "HealthCheckId", 64, "HealthCheckId");
  if (healthCheckId !== undefined) set.healthCheckId = healthCheckId;
  return { action, set };
}
