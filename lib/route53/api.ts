/**
 * The Route 53 adapter: the only module that talks to `@aws-sdk/client-route-53`.
 * Every call goes through the shared rate limiter, is retried with jittered backoff
 * beyond the SDK's own attempts, and is counted per operation for the caller.
 *
 * @example
 * ```ts
 * const api = route53Api(new Route53Client({ region: "us-east-1" }), { limiter });
 * const live = await listRecordSets(api, zoneId, "shop.test.");
 * ```
 *
 * @module
 */
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  type HostedZone,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
  type RRType as SdkRRType,
} from "@aws-sdk/client-route-53";
import type { ChangeBatch } from "./batch.ts";
import { canonicalRoute53Name, toRoute53Name } from "../dns/names.ts";
import type { ExistingRecordSet, ExistingZone, UnmanagedSet } from "../plan/plan.ts";
import { type RateLimiter, UNLIMITED } from "./rate_limit.ts";
import { canonicalRoute53Value } from "./live_value.ts";
import { isRoute53Type } from "../dns/record_set.ts";
import { type AliasTarget, SELF_ZONE } from "../dns/alias.ts";
import { type BackoffPolicy, classifyError, nextRetry } from "./retry.ts";
import { sleep } from "../util/sleep.ts";

/** API calls made, per operation name (`ListResourceRecordSets`: 34, …). */
export type CallCounts = Record<string, number>;

/**
 * What the adapter functions need: a way to send one SDK command, and the policies
 * around each call. The client itself stays inside (callers close it with `close`), so
 * nothing outside this module holds the SDK's client.
 */
export interface Route53Api {
  /** Sends one command; only the functions of this module build commands. */
  send: Route53Client["send"];
  /** Closes the client's connections; the adapter is unusable afterwards. */
  close(): void;
  limiter: RateLimiter;
  backoff: BackoffPolicy;
  /** Counts of calls sent through this value; see {@linkcode withFreshCounts}. */
  calls: CallCounts;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Told about every attempt's outcome (metrics); optional. */
  onCall?: (operation: string, outcome: "ok" | "throttled" | "error") => void;
}

/** Builds the adapter's context; the limiter defaults to none (the local server). */
export function route53Api(
  client: Route53Client,
  options: Partial<Omit<Route53Api, "send" | "close" | "calls">> = {},
): Route53Api {
  return {
    onCall: options.onCall,
    send: client.send.bind(client),
    close: () => client.destroy(),
    limiter: options.limiter ?? UNLIMITED,
    backoff: options.backoff ?? {},
    calls: {},
    sleep: options.sleep ?? sleep,
    random: options.random ?? Math.random,
  };
}

/** The same context with its own call counter, so one sync can report its calls. */
export function withFreshCounts(api: Route53Api): Route53Api {
  return { ...api, calls: {} };
}

/** Tells `onCall` (the metrics) how an attempt failed: throttled or another error. */
function reportFailure(api: Route53Api, operation: string, error: unknown): void {
  const name = error instanceof Error ? error.name : "";
  api.onCall?.(
    operation,
    name === "Throttling" || name === "PriorRequestNotComplete" ? "throttled" : "error",
  );
}

/**
 * Sends one request: token from the limiter, count, send; transient failures are
 * retried after a jittered delay (each retry takes a token and counts as a call).
 */
async function call<T>(api: Route53Api, operation: string, send: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    await api.limiter.take();
    api.calls[operation] = (api.calls[operation] ?? 0) + 1;
    try {
      const result = await send();
      api.onCall?.(operation, "ok");
      return result;
    } catch (error) {
      reportFailure(api, operation, error);
      const decision = nextRetry(attempt, error, api.backoff, api.random);
      if (!decision.retry) throw error;
      await api.sleep(decision.delayMs);
    }
  }
}

/** Route 53 returns ids with a type prefix (`/hostedzone/Z…`); callers keep bare ids. */
export function bareId(id: string): string {
  return id.replace(/^\/(hostedzone|change|delegationset)\//, "");
}

const ROUTING_FIELDS = [
  "SetIdentifier",
  "Weight",
  "Region",
  "GeoLocation",
  "Failover",
  "MultiValueAnswer",
  "HealthCheckId",
  "TrafficPolicyInstanceId",
  "CidrRoutingConfig",
  "GeoProximityLocation",
] as const;

/** The routing policy a listed set uses, named as README names them. */
function policyOf(listed: ResourceRecordSet): string {
  if (listed.Weight !== undefined) return "weighted";
  if (listed.Region !== undefined) return "latency";
  if (listed.Failover !== undefined) return "failover";
  if (listed.GeoLocation !== undefined) return "geolocation";
  if (listed.MultiValueAnswer !== undefined) return "multivalue";
  if (listed.CidrRoutingConfig !== undefined) return "IP-based";
  if (listed.GeoProximityLocation !== undefined) return "geoproximity";
  return "routing-policy";
}

/** A listed `AliasTarget` in canonical form; the zone's own id becomes `$self`. */
function canonicalAlias(
  listed: NonNullable<ResourceRecordSet["AliasTarget"]>,
  zoneId: string | undefined,
): AliasTarget {
  const raw = listed.DNSName ?? "";
  let target: string;
  try {
    target = canonicalRoute53Name(raw);
  } catch {
    target = raw; // kept verbatim: then it equals no desired target and is replaced
  }
  const id = bareId(listed.HostedZoneId ?? "");
  return {
    target,
    zoneId: id === zoneId ? SELF_ZONE : id,
    evaluateTargetHealth: listed.EvaluateTargetHealth === true,
  };
}

/** The outcome of normalising one listed set. */
export type LiveSet = { managed: ExistingRecordSet } | { unmanaged: UnmanagedSet };

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/**
 * One listed set → our canonical form, or the reason it is left alone. Pure.
 * Names are decoded with the parser's own functions so both sides compare by plain
 * equality; a value the normaliser cannot read is kept verbatim (it then differs from
 * any desired value and is replaced, with its stored text used for the DELETE).
 */
export function normaliseLiveSet(
  zone: string,
  listed: ResourceRecordSet,
  zoneId?: string,
): LiveSet {
  const rawName = listed.Name ?? "";
  const type = listed.Type ?? "";
  let name: string;
  try {
    name = canonicalRoute53Name(rawName);
  } catch {
    name = rawName;
  }
  const identifier = listed.SetIdentifier === undefined
    ? {}
    : { setIdentifier: listed.SetIdentifier };
  if (ROUTING_FIELDS.some((field) => listed[field] !== undefined)) {
    const policy = policyOf(listed);
    return { unmanaged: { name, type, ...identifier, reason: "routing-policy", policy } };
  }
  if (listed.AliasTarget !== undefined) {
    // Unmanaged as listed; diffZone manages it once the file has an alias line.
    const alias = canonicalAlias(listed.AliasTarget, zoneId);
    return { unmanaged: { name, type, reason: "alias", alias } };
  }
  if (name === zone && type === "SOA") return { unmanaged: { name, type, reason: "apex-soa" } };
  if (name === zone && type === "NS") return { unmanaged: { name, type, reason: "apex-ns" } };
  if (!isRoute53Type(type)) return { unmanaged: { name, type, reason: "unsupported-type" } };
  const stored = (listed.ResourceRecords ?? []).map((record) => record.Value ?? "");
  const values = sortedUnique(stored.map((value) => {
    try {
      return canonicalRoute53Value(type, value);
    } catch (error) {
      if (error instanceof SyntaxError) return value;
      throw error;
    }
  }));
  const set: ExistingRecordSet = { name, type, ttl: listed.TTL ?? 0, values };
  const storedSorted = [...stored].sort();
  const verbatim = storedSorted.length === values.length &&
    storedSorted.every((value, i) => value === values[i]);
  return { managed: verbatim ? set : { ...set, storedValues: stored } };
}

/**
 * Reads every record set of a zone: a manual ListResourceRecordSets loop (the JS SDK has
 * no paginator for it) that passes NextRecordName/Type/Identifier back unchanged —
 * never rebuilt from a decoded name, which breaks on `\052` (docs/route53.md, "Listing order and paging").
 */
export async function listRecordSets(
  api: Route53Api,
  zoneId: string,
  zone: string,
): Promise<ExistingZone> {
  const result: ExistingZone = { sets: [], unmanaged: [] };
  let start: { name?: string; type?: SdkRRType; identifier?: string } = {};
  for (;;) {
    const page = await call(
      api,
      "ListResourceRecordSets",
      () =>
        api.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            StartRecordName: start.name,
            StartRecordType: start.type,
            StartRecordIdentifier: start.identifier,
            MaxItems: 300,
          }),
        ),
    );
    for (const listed of page.ResourceRecordSets ?? []) {
      const live = normaliseLiveSet(zone, listed, zoneId);
      if ("managed" in live) result.sets.push(live.managed);
      else result.unmanaged.push(live.unmanaged);
    }
    if (page.IsTruncated !== true) return result;
    if (page.NextRecordName === undefined) {
      throw new TypeError(
        `Cannot list zone ${zone}: Route 53 said the listing is truncated but gave no NextRecordName`,
      );
    }
    start = {
      name: page.NextRecordName,
      type: page.NextRecordType,
      identifier: page.NextRecordIdentifier,
    };
  }
}

/** A hosted zone as the worker needs it. */
export interface HostedZoneRef {
  /** Bare id (`Z0123…`). */
  id: string;
  /** Canonical name (`shop.test.`). */
  name: string;
  callerReference: string;
  private: boolean;
}

function toRef(zone: HostedZone): HostedZoneRef {
  let name = zone.Name ?? "";
  try {
    name = canonicalRoute53Name(name);
  } catch {
    // An unreadable name simply never equals the zone we look for.
  }
  return {
    id: bareId(zone.Id ?? ""),
    name,
    callerReference: zone.CallerReference ?? "",
    private: zone.Config?.PrivateZone === true,
  };
}

/**
 * Every hosted zone named exactly `zone` (public and private). ListHostedZonesByName
 * only says where the listing starts, so names are compared here; matches are adjacent
 * in its order, so paging stops at the first other name.
 */
export async function findHostedZones(api: Route53Api, zone: string): Promise<HostedZoneRef[]> {
  const matches: HostedZoneRef[] = [];
  let start: { dnsName: string; id?: string } = { dnsName: toRoute53Name(zone) };
  for (;;) {
    const page = await call(
      api,
      "ListHostedZonesByName",
      () =>
        api.send(
          new ListHostedZonesByNameCommand({
            DNSName: start.dnsName,
            HostedZoneId: start.id,
            MaxItems: 100,
          }),
        ),
    );
    const refs = (page.HostedZones ?? []).map(toRef);
    matches.push(...refs.filter((ref) => ref.name === zone));
    const passed = refs.some((ref) => ref.name !== zone);
    if (passed || page.IsTruncated !== true || page.NextDNSName === undefined) return matches;
    start = { dnsName: page.NextDNSName, id: page.NextHostedZoneId };
  }
}

/**
 * The one public hosted zone named `zone`, or null. Several public zones with one name
 * (allowed by Route 53) make the choice unsafe, so that is an error naming them.
 */
export async function findHostedZone(
  api: Route53Api,
  zone: string,
): Promise<HostedZoneRef | null> {
  const candidates = (await findHostedZones(api, zone)).filter((ref) => !ref.private);
  if (candidates.length > 1) {
    throw new Error(
      `Cannot choose the hosted zone for ${zone}: ${candidates.length} public hosted zones ` +
        `share the name (${candidates.map((c) => c.id).join(", ")}); ` +
        `delete the extra ones in Route 53 or record the right id for the domain`,
    );
  }
  return candidates[0] ?? null;
}

/** The four name servers of a hosted zone, without trailing dots, as Route 53 lists them. */
export async function getNameservers(api: Route53Api, zoneId: string): Promise<string[]> {
  const output = await call(
    api,
    "GetHostedZone",
    () => api.send(new GetHostedZoneCommand({ Id: zoneId })),
  );
  return output.DelegationSet?.NameServers ?? [];
}

/** Options of {@linkcode createHostedZone}. */
export interface CreateZoneOptions {
  /** A reusable delegation set, so every zone gets the same name servers. */
  delegationSetId?: string;
  comment?: string;
  /** Makes each attempt's CallerReference; default `dns-api <zone> <uuid>`. */
  callerReference?: () => string;
}

/** A created or recovered zone with its name servers. */
export interface CreatedZone {
  zone: HostedZoneRef;
  nameservers: string[];
}

/**
 * Creates the public hosted zone `zone`. A CallerReference is burnt forever once used,
 * and Route 53 never replays a creation, so each attempt gets a fresh one; after a
 * timeout, network error or 409 the zone is looked up by name and accepted only when
 * its reference is one of ours (then the lost response did create it).
 */
export async function createHostedZone(
  api: Route53Api,
  zone: string,
  options: CreateZoneOptions = {},
): Promise<CreatedZone> {
  const makeReference = options.callerReference ??
    (() => `dns-api ${zone} ${crypto.randomUUID()}`);
  const ours = new Set<string>();
  for (let attempt = 1;; attempt++) {
    const reference = makeReference();
    ours.add(reference);
    await api.limiter.take();
    api.calls.CreateHostedZone = (api.calls.CreateHostedZone ?? 0) + 1;
    try {
      const output = await api.send(
        new CreateHostedZoneCommand({
          Name: zone,
          CallerReference: reference,
          DelegationSetId: options.delegationSetId,
          HostedZoneConfig: options.comment === undefined
            ? undefined
            : { Comment: options.comment, PrivateZone: false },
        }),
      ).catch((error: unknown) => {
        reportFailure(api, "CreateHostedZone", error);
        throw error;
      });
      api.onCall?.("CreateHostedZone", "ok");
      if (output.HostedZone === undefined) {
        throw new TypeError(`Cannot create hosted zone ${zone}: the response holds no zone`);
      }
      return {
        zone: toRef(output.HostedZone),
        nameservers: output.DelegationSet?.NameServers ?? [],
      };
    } catch (error) {
      const conflict = error instanceof Error && error.name === "HostedZoneAlreadyExists";
      if (!conflict && classifyError(error) === "permanent") throw error;
      const found = (await findHostedZones(api, zone)).find((ref) => ours.has(ref.callerReference));
      if (found !== undefined) {
        return { zone: found, nameservers: await getNameservers(api, found.id) };
      }
      // A 409 for a reference we never used before cannot be cured by retrying.
      if (conflict) throw error;
      const decision = nextRetry(attempt, error, api.backoff, api.random);
      if (!decision.retry) throw error;
      await api.sleep(decision.delayMs);
    }
  }
}

/**
 * The request body of one batch; names go out in Route 53's stored form, an alias
 * with its `AliasTarget` only (`$self` as the zone's id), no TTL and no records.
 */
function toSdkChanges(batch: ChangeBatch, zoneId: string) {
  return {
    Comment: batch.comment,
    Changes: batch.changes.map(({ action, set }) => ({
      Action: action,
      ResourceRecordSet: set.alias === undefined
        ? {
          Name: toRoute53Name(set.name),
          Type: set.type,
          TTL: set.ttl,
          ResourceRecords: set.values.map((Value) => ({ Value })),
        }
        : {
          Name: toRoute53Name(set.name),
          Type: set.type,
          AliasTarget: {
            HostedZoneId: set.alias.zoneId === SELF_ZONE ? zoneId : set.alias.zoneId,
            DNSName: toRoute53Name(set.alias.target),
            EvaluateTargetHealth: set.alias.evaluateTargetHealth,
          },
        },
    })),
  };
}

/**
 * Sends the batches in order, each through the limiter with retries; stops at the
 * first failure (earlier batches stay applied: each is atomic, the set of them is not).
 * Returns the change ids.
 */
export async function applyBatches(
  api: Route53Api,
  zoneId: string,
  batches: ChangeBatch[],
  beforeEach: (index: number, count: number) => void = () => {},
): Promise<string[]> {
  const ids: string[] = [];
  for (const [index, batch] of batches.entries()) {
    beforeEach(index, batches.length);
    const output = await call(
      api,
      "ChangeResourceRecordSets",
      () =>
        api.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ChangeBatch: toSdkChanges(batch, zoneId),
          }),
        ),
    );
    ids.push(bareId(output.ChangeInfo?.Id ?? ""));
  }
  return ids;
}

/** Polling settings of {@linkcode waitForInsync}. */
export interface WaitOptions {
  timeoutMs: number;
  /** Delay between GetChange calls. Default 2,000 ms. */
  intervalMs?: number;
}

/**
 * Polls GetChange until the change is INSYNC (on every Route 53 server); returns false
 * when `timeoutMs` passes first. Changes are visible to listings while PENDING, so
 * waiting is only for callers who must know the world sees them.
 */
export async function waitForInsync(
  api: Route53Api,
  changeId: string,
  options: WaitOptions,
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const output = await call(
      api,
      "GetChange",
      () => api.send(new GetChangeCommand({ Id: changeId })),
    );
    if (output.ChangeInfo?.Status === "INSYNC") return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await api.sleep(Math.min(options.intervalMs ?? 2000, left));
  }
}
