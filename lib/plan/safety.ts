/**
 * The safety gate between plan and apply: a pure check that refuses a plan touching a
 * large share of a zone (octoDNS's `TooMuchChange`: 30% of a zone of 10+ sets), because
 * a truncated or half-parsed zone file looks exactly like a mass delete.
 *
 * @example
 * ```ts
 * checkPlanSafety(plan, { force: false }); // throws UnsafePlanError when too much changes
 * ```
 *
 * @module
 */
import { countChanges, type Plan } from "./plan.ts";

/** Thresholds of the gate; every field optional, defaults as octoDNS. */
export interface SafetyThresholds {
  /** Largest share (0–1) of existing managed sets a plan may update. Default 0.3. */
  maxUpdateRatio?: number;
  /** Largest share (0–1) of existing managed sets a plan may delete. Default 0.3. */
  maxDeleteRatio?: number;
  /** Zones with fewer existing managed sets than this are never refused. Default 10. */
  minExisting?: number;
}

/** The defaults: 30% updates, 30% deletes, zones of at least 10 sets. */
export const DEFAULT_SAFETY: Required<SafetyThresholds> = {
  maxUpdateRatio: 0.3,
  maxDeleteRatio: 0.3,
  minExisting: 10,
};

/** How to tell the customer to force a refused plan; the worker fills in its flag. */
export const DEFAULT_FORCE_HINT = "run `sync --force` for this user to apply it anyway";

/** A plan refused by the gate; callers catch it to fail the zone without retrying. */
export class UnsafePlanError extends Error {
  /** Zone whose plan was refused (canonical, trailing dot). */
  readonly zone: string;
  /** Updates and deletes the plan held, and the existing managed sets they act on. */
  readonly updates: number;
  readonly deletes: number;
  readonly existing: number;

  constructor(
    message: string,
    details: { zone: string; updates: number; deletes: number; existing: number },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "UnsafePlanError";
    this.zone = details.zone;
    this.updates = details.updates;
    this.deletes = details.deletes;
    this.existing = details.existing;
  }
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}

/**
 * Returns why the plan is unsafe, or `null` when it may be applied. Pure; the base is
 * `plan.existingCount` (managed sets only: apex SOA/NS and alias sets never change).
 */
export function unsafePlanReason(plan: Plan, thresholds: SafetyThresholds = {}): string | null {
  const limits = { ...DEFAULT_SAFETY, ...thresholds };
  const existing = plan.existingCount;
  if (existing < limits.minExisting) return null;
  const counts = countChanges(plan);
  const problems: string[] = [];
  if (counts.update / existing > limits.maxUpdateRatio) {
    problems.push(
      `${counts.update} of ${existing} record sets would change (${
        percent(counts.update / existing)
      }, limit ${percent(limits.maxUpdateRatio)})`,
    );
  }
  if (counts.delete / existing > limits.maxDeleteRatio) {
    problems.push(
      `${counts.delete} of ${existing} record sets would be deleted (${
        percent(counts.delete / existing)
      }, limit ${percent(limits.maxDeleteRatio)})`,
    );
  }
  return problems.length === 0 ? null : problems.join("; ");
}

/**
 * Throws {@linkcode UnsafePlanError} when the plan changes too much of the zone, unless
 * `force` is set. The message names the zone, the numbers and how to force.
 */
export function checkPlanSafety(
  plan: Plan,
  options: { force: boolean; thresholds?: SafetyThresholds; forceHint?: string },
): void {
  if (options.force) return;
  const reason = unsafePlanReason(plan, options.thresholds);
  if (reason === null) return;
  const counts = countChanges(plan);
  throw new UnsafePlanError(
    `Cannot apply plan for ${plan.zone.replace(/\.$/, "")}: ${reason}; ` +
      `if the zone file is right, ${options.forceHint ?? DEFAULT_FORCE_HINT}`,
    {
      zone: plan.zone,
      updates: counts.update,
      deletes: counts.delete,
      existing: plan.existingCount,
    },
  );
}
