/**
 * One zone end to end: plan (incremental from the previous file, or a full list-and-diff
 * reconcile), safety gate, batch, apply, optionally wait. {@linkcode planZone} is the
 * dry run; {@linkcode syncZone} applies the very same plan value it computes.
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
  listRecordSets,
  type Route53Api,
  waitForInsync,
  type WaitOptions,
  withFreshCounts,
} from "./api.ts";
import { checkPlanSafety, type SafetyThresholds } from "../plan/safety.ts";
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

/** Options of {@linkcode applyPlan}. */
export interface ApplyOptions {
  jobId: string;
  /** Apply even when the safety gate refuses. */
  force?: boolean;
  safety?: SafetyThresholds;
  /** Told to the customer in a refusal: how to force. */
  forceHint?: string;
  replace?: ReplaceMode;
  /** Wait for the last change to be INSYNC. */
  wait?: WaitOptions;
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
  checkPlanSafety(plan, {
    force: options.force === true,
    thresholds: options.safety,
    forceHint: options.forceHint,
  });
  if (isEmptyPlan(plan)) return { batches: [], changeIds: [] };
  const batchOptions: BatchOptions = { jobId: options.jobId, replace: options.replace };
  const batches = batchChanges(plan.changes, batchOptions);
  const changeIds = await applyBatches(api, zoneId, batches);
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
 * Makes Route 53 match `desired` for one zone. Incremental first when possible; when
 * Route 53 refuses a batch because the live zone drifted, a full list-and-diff
 * reconcile runs once and is applied instead (its plan passes the safety gate too).
 * Earlier batches that succeeded are simply seen by the reconcile.
 */
export async function syncZone(api: Route53Api, options: SyncOptions): Promise<SyncResult> {
  const counted = withFreshCounts(api);
  const first = await planZone(counted, options);
  try {
    const applied = await applyPlan(counted, options.zoneId, first.plan, options);
    return {
      ...applied,
      plan: first.plan,
      mode: first.mode,
      fellBack: false,
      calls: counted.calls,
    };
  } catch (error) {
    // Drift after an incremental plan: the live zone is not what the previous file said.
    // Drift after a full plan: the zone changed between listing and applying, or a
    // change whose response was lost got retried and met its own effect. Either way one
    // reconcile from a fresh listing repairs it; a second failure is the caller's.
    if (!isDriftError(error)) throw error;
    const message = messageOf(error);
    const full = await planZone(counted, { ...options, full: true });
    const applied = await applyPlan(counted, options.zoneId, full.plan, options);
    return {
      ...applied,
      plan: full.plan,
      mode: "full",
      fellBack: true,
      driftMessage: message,
      calls: counted.calls,
    };
  }
}
