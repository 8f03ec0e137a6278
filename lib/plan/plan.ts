/**
 * Diff desired record sets against what Route 53 holds, per (name, type), into a
 * {@linkcode Plan}: a plain value that a dry run prints and a real run applies unchanged
 * (octoDNS's plan → safety gate → apply pipeline).
 *
 * @example
 * ```ts
 * const plan = diffZone("shop.test.", desired, { sets: existing, unmanaged: [] });
 * console.log(formatPlan(plan));
 * ```
 *
 * @module
 */
import { showName } from "../dns/idn.ts";
import {
  aliasSet,
  isRoute53Type,
  type RecordSet,
  rrsetKey,
  sameRecordSet,
} from "../dns/record_set.ts";
import { type AliasTarget, describeAlias } from "../dns/alias.ts";

/**
 * A managed set as Route 53 holds it: canonical for comparison, plus the exact stored
 * value text when it differs, because a DELETE must repeat the stored set verbatim
 * (docs/route53.md, "Change batches"). Without `storedValues` the canonical values are the stored ones
 * (true for everything this engine wrote itself).
 */
export interface ExistingRecordSet extends RecordSet {
  storedValues?: string[];
}

/** Why a set in Route 53 is left alone. */
export type UnmanagedReason =
  | "apex-soa"
  | "apex-ns"
  | "alias"
  | "routing-policy"
  /** A type newer than this engine knows: listed by Route 53, never written by a file. */
  | "unsupported-type";

/** A set the zone file cannot express; never changed, only reported. */
export interface UnmanagedSet {
  name: string;
  type: string;
  /** The SetIdentifier of a routing-policy set, when it has one. */
  setIdentifier?: string;
  reason: UnmanagedReason;
  /** A routing-policy set's policy (`weighted`, `latency`, `failover`, …). */
  policy?: string;
  /**
   * An alias set's target. Listed alias sets stay unmanaged until the zone's file has
   * an alias line (README, "Aliases"); then {@linkcode diffZone} manages them.
   */
  alias?: AliasTarget;
}

/** What Route 53 holds for one zone, split into the sets we manage and the rest. */
export interface ExistingZone {
  sets: ExistingRecordSet[];
  unmanaged: UnmanagedSet[];
}

/** One change of a plan: a discriminated union on `kind`. */
export type Change =
  | { kind: "create"; after: RecordSet }
  | { kind: "update"; before: ExistingRecordSet; after: RecordSet }
  | { kind: "delete"; before: ExistingRecordSet };

/** A desired set that the plan does not touch, and why. */
export interface SkippedSet {
  set: RecordSet;
  reason: string;
}

/** The full, deterministic result of comparing desired with existing for one zone. */
export interface Plan {
  /** Zone name, canonical form (`shop.test.`). */
  zone: string;
  /** Sorted by name (labels reversed), then type. */
  changes: Change[];
  /** Sets found in Route 53 that the engine leaves alone. */
  unmanaged: UnmanagedSet[];
  /** Desired sets the engine refuses to write (they collide with an unmanaged set). */
  skipped: SkippedSet[];
  /** How many managed sets Route 53 held before the plan; the safety gate's base. */
  existingCount: number;
}

/** The set a change concerns (its new form when there is one). */
export function changeSet(change: Change): RecordSet {
  return change.kind === "delete" ? change.before : change.after;
}

/**
 * Orders names the way Route 53 lists them in spirit (labels reversed, so a zone's
 * subtree stays together and the apex comes first). Splitting on every dot keeps the
 * mapping one-to-one, which is all determinism needs.
 */
function nameOrderKey(name: string): string {
  return name.split(".").reverse().join(".");
}

const KIND_ORDER: Record<Change["kind"], number> = { delete: 0, create: 1, update: 2 };

/** Total order of changes: name (labels reversed), type, then delete < create < update. */
export function compareChanges(a: Change, b: Change): number {
  const sa = changeSet(a);
  const sb = changeSet(b);
  const ka = nameOrderKey(sa.name);
  const kb = nameOrderKey(sb.name);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (sa.type !== sb.type) return sa.type < sb.type ? -1 : 1;
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
}

/** Tells whether a (name, type) is the apex SOA or NS, which stay Route 53's. */
export function isApexAuthority(zone: string, set: Pick<RecordSet, "name" | "type">): boolean {
  return set.name === zone && (set.type === "SOA" || set.type === "NS");
}

/**
 * Compares the desired sets of `zone` with what Route 53 holds and returns the plan.
 *
 * - a desired set missing in Route 53 → create; present but different → update;
 *   a managed set absent from the desired ones → delete (with its stored values);
 * - apex SOA/NS in `desired` are skipped (Route 53 owns them);
 * - a desired set whose (name, type) is held by an unmanaged set (alias, routing
 *   policy) is skipped and reported, never overwritten;
 * - alias sets are managed only when `desired` holds one (see `withAliasesManaged`).
 *
 * Duplicated (name, type) in `desired` is a caller bug (the parser merges sets), so it
 * throws a `TypeError`.
 */
export function diffZone(zone: string, desired: RecordSet[], given: ExistingZone): Plan {
  const existing = withAliasesManaged(given, desired.some((set) => set.alias !== undefined));
  const unmanagedBy = new Map(existing.unmanaged.map((u) => [`${u.name} ${u.type}`, u]));
  const live = new Map<string, ExistingRecordSet>();
  for (const set of existing.sets) live.set(rrsetKey(set), set);

  const changes: Change[] = [];
  const skipped: SkippedSet[] = [];
  const wanted = new Set<string>();
  for (const set of desired) {
    const key = rrsetKey(set);
    if (wanted.has(key)) {
      throw new TypeError(`Cannot plan zone ${zone}: record set ${key} is given twice`);
    }
    wanted.add(key);
    if (isApexAuthority(zone, set)) {
      skipped.push({ set, reason: `apex ${set.type} belongs to Route 53` });
      continue;
    }
    const held = unmanagedBy.get(key);
    if (held !== undefined) {
      skipped.push({ set, reason: collisionReason(held) });
      continue;
    }
    const before = live.get(key);
    if (before === undefined) changes.push({ kind: "create", after: set });
    else if (!sameRecordSet(before, set)) changes.push({ kind: "update", before, after: set });
  }
  for (const [key, before] of live) {
    if (!wanted.has(key)) changes.push({ kind: "delete", before });
  }
  changes.sort(compareChanges);
  return {
    zone,
    changes,
    unmanaged: existing.unmanaged,
    skipped,
    existingCount: existing.sets.length,
  };
}

/**
 * The upgrade rule (octoDNS's lesson: a tool that started reading aliases planned to
 * delete hundreds made by hand): a zone's alias sets are managed only once its file
 * has an alias line. Until then they stay unmanaged, as listed.
 */
function withAliasesManaged(existing: ExistingZone, managesAliases: boolean): ExistingZone {
  if (managesAliases) {
    const sets = [...existing.sets];
    const unmanaged: UnmanagedSet[] = [];
    for (const u of existing.unmanaged) {
      if (u.reason === "alias" && u.alias !== undefined && isRoute53Type(u.type)) {
        sets.push(aliasSet(u.name, u.type, u.alias));
      } else unmanaged.push(u);
    }
    return { sets, unmanaged };
  }
  const aliases = existing.sets.filter((set) => set.alias !== undefined);
  if (aliases.length === 0) return existing;
  return {
    sets: existing.sets.filter((set) => set.alias === undefined),
    unmanaged: [
      ...existing.unmanaged,
      ...aliases.map((set): UnmanagedSet => ({
        name: set.name,
        type: set.type,
        reason: "alias",
        alias: set.alias,
      })),
    ],
  };
}

/** Why a desired set that meets an unmanaged one is not written, naming that set. */
function collisionReason(held: UnmanagedSet): string {
  const id = held.setIdentifier === undefined ? "" : ` (set identifier "${held.setIdentifier}")`;
  const what = held.reason === "alias"
    ? "an alias set made outside the zone file (aliases are managed once the file has an AWS ALIAS line)"
    : held.reason === "routing-policy"
    ? `a ${held.policy ?? "routing-policy"} routing set${id}`
    : `a ${held.reason} set`;
  return `Route 53 holds ${what} with this name and type; ` +
    "remove it there first to manage it from the zone file";
}

/** Counts of a plan's changes by kind. */
export interface PlanCounts {
  create: number;
  update: number;
  delete: number;
}

/** Counts the creates, updates and deletes of a plan. */
export function countChanges(plan: Pick<Plan, "changes">): PlanCounts {
  const counts: PlanCounts = { create: 0, update: 0, delete: 0 };
  for (const change of plan.changes) counts[change.kind]++;
  return counts;
}

/** Tells whether a plan changes nothing. */
export function isEmptyPlan(plan: Pick<Plan, "changes">): boolean {
  return plan.changes.length === 0;
}

/**
 * The one-line summary, zone without its trailing dot: `shop.test: +3 ~1 -2`.
 *
 * @example
 * ```ts
 * formatPlanSummary(plan); // "shop.test: +3 ~1 -2"
 * ```
 */
export function formatPlanSummary(plan: Pick<Plan, "zone" | "changes">): string {
  const { create, update, delete: del } = countChanges(plan);
  return `${showName(plan.zone.replace(/\.$/, ""))}: +${create} ~${update} -${del}`;
}

function describeSet(set: RecordSet): string {
  if (set.alias !== undefined) return `${set.name} ${set.type} ALIAS ${describeAlias(set.alias)}`;
  return `${set.name} ${set.ttl} ${set.type} ${set.values.join(" | ")}`;
}

/** The data of a set after `->` in an update line. */
function describeData(set: RecordSet): string {
  return set.alias !== undefined
    ? `ALIAS ${describeAlias(set.alias)}`
    : `${set.ttl} ${set.values.join(" | ")}`;
}

/** One line for one change: `+ name ttl type values`, `~ … -> …`, `- …`. */
export function formatChange(change: Change): string {
  switch (change.kind) {
    case "create":
      return `+ ${describeSet(change.after)}`;
    case "delete":
      return `- ${describeSet(change.before)}`;
    case "update":
      return `~ ${describeSet(change.before)} -> ${describeData(change.after)}`;
  }
}

/**
 * The printable plan: the summary, one line per change, then one line per skipped
 * desired set and per alias or routing-policy set left alone. Apex SOA/NS are not
 * listed: every zone has them, so printing them would only bury the real news.
 */
export function formatPlan(plan: Plan): string {
  const lines = [formatPlanSummary(plan), ...plan.changes.map(formatChange)];
  for (const { set, reason } of plan.skipped) {
    lines.push(`! skipped ${set.name} ${set.type}: ${reason}`);
  }
  for (const set of plan.unmanaged) {
    if (set.reason === "apex-ns" || set.reason === "apex-soa") continue;
    const id = set.setIdentifier === undefined ? "" : ` [${set.setIdentifier}]`;
    lines.push(`= unmanaged ${set.name} ${set.type}${id} (${set.reason}), left untouched`);
  }
  return lines.join("\n");
}
