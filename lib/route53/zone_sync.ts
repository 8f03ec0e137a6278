/**
 * Every Route 53 call for one zone: finding or creating its hosted zone, then plan
 * (incremental from the previous file, or a full list-and-diff reconcile), safety gate,
 * batch, apply, optionally wait; and pruning a zone whose file was deleted.
 *
 * The order is octoDNS's: plan → safety gate → (a dry run stops here) → apply. A caller
 * that reports a dry run calls {@linkcode planZone} and {@linkcode gatePlan} itself and
 * applies the very same plan value with {@linkcode applyZonePlan}; {@linkcode syncZone}
 * does all three.
 *
 * @example
 * ```ts
 * const result = await syncZone(api, {
 *   zone: "shop.test.", zoneId, desired, previous: null, jobId, force: false,
 * });
 * console.log(formatPlan(result.plan), result.calls);
 * ```
 *
 * @module
 */
import { batchChanges, type BatchOptions, type ChangeBatch, type ReplaceMode } from "./batch.ts";
import { isDriftError, planIncremental } from "../plan/incremental.ts";
import { diffZone, isEmptyPlan, type Plan } from "../plan/plan.ts";
import type { RecordSet } from "../dns/record_set.ts";
import {
  applyBatches,
  type CallCounts,
  createHostedZone,
  findHostedZones,
  getNameservers,
  listRecordSets,
  type Route53Api,
  waitForInsync,
  type WaitOptions,
  withFreshCounts,
} from "./api.ts";
import { checkPlanSafety, type SafetyThresholds } from "../plan/safety.ts";
import { LeaseLostError } from "../errors.ts";
import { messageOf } from "../util/message.ts";

/** What to plan for one zone. */
export interface PlanZoneOptions {
  /** Canonical zone name (`shop.test.`). */
  zone: string;
  /** Bare hosted zone id; known from the domain's row, so no lookup call is needed. */
  zoneId: string;
  /** The new file's record sets (parser output). */
  desired: RecordSet[];
  /**
   * The record sets of the last file applied successfully, or null when there is none
   * (first sync, failed last job): null forces a full reconcile.
   */
  previous: RecordSet[] | null;
  /** Always list Route 53 and diff (`sync --full`, scheduled repair). */
  full?: boolean;
}

/** How a plan was made. */
export type PlanMode = "incremental" | "full";

/** A plan and how it was made. */
export interface ZonePlan {
  plan: Plan;
  mode: PlanMode;
}

/**
 * The dry run: the plan a sync would apply. Incremental when a previous version is
 * known and `full` is not set (no API call at all), else a full reconcile (list pages).
 */
export async function planZone(api: Route53Api, options: PlanZoneOptions): Promise<ZonePlan> {
  if (options.previous !== null && options.full !== true) {
    return {
      plan: planIncremental(options.zone, options.previous, options.desired),
      mode: "incremental",
    };
  }
  const existing = await listRecordSets(api, options.zoneId, options.zone);
  return { plan: diffZone(options.zone, options.desired, existing), mode: "full" };
}

/** How the safety gate judges a plan. */
export interface GateOptions {
  /** Apply even when the safety gate refuses. */
  force?: boolean;
  safety?: SafetyThresholds;
  /** Told to the customer in a refusal: how to force. */
  forceHint?: string;
}

/**
 * The safety gate on a plan value: throws `UnsafePlanError` when the plan changes too
 * much of the zone and `force` is not set. Pure; a dry run passes it too, so `plan`
 * refuses exactly what `sync` would.
 */
export function gatePlan(plan: Plan, options: GateOptions): void {
  checkPlanSafety(plan, {
    force: options.force === true,
    thresholds: options.safety,
    forceHint: options.forceHint,
  });
}

/** Options of {@linkcode applyPlan}. */
export interface ApplyOptions extends GateOptions {
  jobId: string;
  replace?: ReplaceMode;
  /** Wait for the last change to be INSYNC. */
  wait?: WaitOptions;
  /**
   * Whether this worker still holds the user's lease; checked before every batch, so a
   * worker that lost the user stops before changing anything more.
   */
  stillOwned?: () => boolean;
}

/** What applying a plan did. */
export interface AppliedPlan {
  batches: ChangeBatch[];
  changeIds: string[];
  /** Whether the last change was seen INSYNC; undefined when not waited for. */
  insync?: boolean;
}

/**
 * Applies exactly this plan: safety gate (throws `UnsafePlanError`), batching, sending in
 * order, optional wait. An empty plan sends nothing.
 */
export async function applyPlan(
  api: Route53Api,
  zoneId: string,
  plan: Plan,
  options: ApplyOptions,
): Promise<AppliedPlan> {
  gatePlan(plan, options);
  if (isEmptyPlan(plan)) return { batches: [], changeIds: [] };
  const batchOptions: BatchOptions = { jobId: options.jobId, replace: options.replace };
  const batches = batchChanges(plan.changes, batchOptions);
  const changeIds = await applyBatches(api, zoneId, batches, (index, count) => {
    if (options.stillOwned && !options.stillOwned()) {
      throw new LeaseLostError(`before change batch ${index + 1} of ${count}`);
    }
  });
  const last = changeIds.at(-1);
  if (options.wait === undefined || last === undefined) return { batches, changeIds };
  return { batches, changeIds, insync: await waitForInsync(api, last, options.wait) };
}

/** Options of {@linkcode syncZone}. */
export type SyncOptions = PlanZoneOptions & ApplyOptions;

/** What one zone's sync did. */
export interface SyncResult extends AppliedPlan {
  /** The plan applied (after a fallback: the reconcile's plan). */
  plan: Plan;
  mode: PlanMode;
  /** Whether a batch met drift and a full reconcile (fresh listing) ran instead. */
  fellBack: boolean;
  /** The drift message that caused the fallback. */
  driftMessage?: string;
  /** Route 53 calls this sync made, per operation. */
  calls: CallCounts;
}

/**
 * Makes Route 53 match `desired` for one zone: {@linkcode planZone}, then
 * {@linkcode applyZonePlan}. Route 53 calls are counted afresh for this zone.
 */
export async function syncZone(api: Route53Api, options: SyncOptions): Promise<SyncResult> {
  const counted = withFreshCounts(api);
  return await applyZonePlan(counted, options, await planZone(counted, options));
}

/**
 * Applies `planned` (made by {@linkcode planZone} with these options) through the safety
 * gate. When Route 53 refuses a batch because the live zone drifted, a full list-and-diff
 * reconcile runs once and is applied instead (its plan passes the safety gate too).
 * Earlier batches that succeeded are simply seen by the reconcile. `calls` is what was
 * sent through `api`.
 */
export async function applyZonePlan(
  api: Route53Api,
  options: SyncOptions,
  planned: ZonePlan,
): Promise<SyncResult> {
  try {
    const applied = await applyPlan(api, options.zoneId, planned.plan, options);
    return {
      ...applied,
      plan: planned.plan,
      mode: planned.mode,
      fellBack: false,
      calls: api.calls,
    };
  } catch (error) {
    // Drift after an incremental plan: the live zone is not what the previous file said.
    // Drift after a full plan: the zone changed between listing and applying, or a
    // change whose response was lost got retried and met its own effect. Either way one
    // reconcile from a fresh listing repairs it; a second failure is the caller's.
    if (!isDriftError(error)) throw error;
    const message = messageOf(error);
    const full = await planZone(api, { ...options, full: true });
    const applied = await applyPlan(api, options.zoneId, full.plan, options);
    return {
      ...applied,
      plan: full.plan,
      mode: "full",
      fellBack: true,
      driftMessage: message,
      calls: api.calls,
    };
  }
}

/** A zone's hosted zone as the sync uses it. */
export interface KnownHostedZone {
  /** Bare hosted zone id. */
  id: string;
  nameservers: string[];
  /** True when this call created it. */
  created: boolean;
}

/**
 * What Route 53 holds for a zone: its hosted zone (`known`), none (`absent`), or a zone of
 * that name that is not the domain's (`foreign`: created by someone else, or for an
 * earlier owner of the name). A foreign zone is never read, so nothing of it reaches a
 * customer's log.
 */
export type HostedZoneLookup =
  | { kind: "known"; zone: KnownHostedZone }
  | { kind: "absent" }
  | { kind: "foreign" };

/** What {@linkcode hostedZoneFor} knows about a zone. */
export interface HostedZoneQuery {
  /** Canonical zone name (`shop.test.`). */
  zone: string;
  /**
   * What the domain's row stored, or null when it has no row yet. `mark` is
   * {@linkcode zoneMark} of the row: the CallerReference prefix of the zones this engine
   * creates for it.
   */
  domain: { hostedZoneId: string | null; nameservers: readonly string[]; mark: string } | null;
}

/**
 * The CallerReference prefix of the hosted zones this engine creates for one `domains`
 * row: its owner and the moment the row was claimed. A zone whose row update was lost
 * is recognised by it and recovered; a zone of the same name made by anyone else (the
 * operator, another tool, this engine for an earlier owner whose row was released) does
 * not carry it. At most 8 + 64 + 1 + 13 + 1 characters, so with a random UUID it stays
 * within Route 53's 128.
 */
export function zoneMark(owner: string, claimedAt: Date): string {
  return `dns-api ${owner} ${claimedAt.getTime()} `;
}

/**
 * Finds the zone's hosted zone without creating one: the row's id when it has one;
 * else, for a row whose zone was created by an earlier attempt that lost the row update,
 * the public zone of that name carrying the row's {@linkcode zoneMark}. Any other public
 * zone of the name is `foreign`: it is not adopted, whoever made it.
 */
export async function hostedZoneFor(
  api: Route53Api,
  query: HostedZoneQuery,
): Promise<HostedZoneLookup> {
  const known = query.domain?.hostedZoneId;
  if (known) {
    const nameservers = query.domain?.nameservers.length
      ? [...query.domain.nameservers]
      : await getNameservers(api, known);
    return { kind: "known", zone: { id: known, nameservers, created: false } };
  }
  const named = (await findHostedZones(api, query.zone)).filter((ref) => !ref.private);
  const mark = query.domain?.mark;
  const ours = mark === undefined
    ? []
    : named.filter((ref) => ref.callerReference.startsWith(mark));
  if (ours.length > 1) {
    throw new Error(
      `Cannot choose the hosted zone for ${query.zone}: ${ours.length} zones were created for ` +
        `its row (${ours.map((c) => c.id).join(", ")}); delete the extra ones in Route 53`,
    );
  }
  const [found] = ours;
  if (found !== undefined) {
    const nameservers = await getNameservers(api, found.id);
    return { kind: "known", zone: { id: found.id, nameservers, created: false } };
  }
  return named.length > 0 ? { kind: "foreign" } : { kind: "absent" };
}

/** What {@linkcode createHostedZoneFor} needs. */
export interface NewHostedZone {
  /** Canonical zone name (`shop.test.`). */
  zone: string;
  /** {@linkcode zoneMark} of the domain's row, which must exist before the zone does. */
  mark: string;
  /** The reusable delegation set new zones get, if any. */
  delegationSetId?: string | undefined;
  /** Comment on the zone. */
  comment?: string;
}

/**
 * Creates the hosted zone of a domain whose row exists and for which
 * {@linkcode hostedZoneFor} found none; its CallerReferences carry the row's mark. The
 * caller stores the id at once, so a later failure does not lose it.
 */
export async function createHostedZoneFor(
  api: Route53Api,
  request: NewHostedZone,
): Promise<KnownHostedZone> {
  const created = await createHostedZone(api, request.zone, {
    delegationSetId: request.delegationSetId,
    comment: request.comment,
    callerReference: () => `${request.mark}${crypto.randomUUID()}`,
  });
  return { id: created.zone.id, nameservers: created.nameservers, created: true };
}

/** What to prune: a zone whose file was deleted, with pruning enabled. */
export interface PruneOptions {
  /** Canonical zone name (`shop.test.`). */
  zone: string;
  zoneId: string;
  jobId: string;
  /** Plan only. */
  dryRun?: boolean;
  /** See {@linkcode ApplyOptions.stillOwned}. */
  stillOwned?: () => boolean;
}

/**
 * Deletes every managed record set of the zone (apex SOA/NS stay) and returns the plan.
 * Forced past the safety gate: deleting everything is what the operator enabled.
 */
export async function pruneZone(api: Route53Api, options: PruneOptions): Promise<Plan> {
  const { plan } = await planZone(api, {
    zone: options.zone,
    zoneId: options.zoneId,
    desired: [],
    previous: null,
    full: true,
  });
  if (!options.dryRun) {
    await applyPlan(api, options.zoneId, plan, {
      jobId: options.jobId,
      force: true,
      stillOwned: options.stillOwned,
    });
  }
  return plan;
}
