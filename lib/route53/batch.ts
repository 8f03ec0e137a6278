/**
 * Turn a plan's changes into the fewest ChangeResourceRecordSets requests that Route 53
 * accepts: at most 1,000 `ResourceRecord` elements and 32,000 value characters per
 * request, UPSERT counting both twice (docs/route53.md, "Limits").
 *
 * Rules that keep each request valid and the zone whole:
 * - a DELETE repeats the exact stored values and TTL (pitfall 12);
 * - an update is an UPSERT or a DELETE+CREATE pair, whichever costs less; the pair is
 *   the documented replace pattern and always travels in one request;
 * - when a name loses one type and gains another (A → CNAME), every change at that
 *   name goes in one request, deletes first, so the CNAME never meets the A (pitfall 10);
 * - apart from that replace pair no set appears twice in a request;
 * - a change between a plain set and an alias is always DELETE+CREATE (UPSERT cannot
 *   turn one into the other);
 * - a `$self` alias travels with the change of its target: the target is created
 *   before the aliases pointing at it and deleted after them (Route 53 refuses an alias
 *   whose target is missing; peers' pitfall 14).
 *
 * @example
 * ```ts
 * const batches = batchChanges(plan.changes, { jobId: "0b6c…" });
 * ```
 *
 * @module
 */
import type { Change } from "../plan/plan.ts";
import { type RecordSet, rrsetKey } from "../dns/record_set.ts";
import { SELF_ZONE } from "../dns/alias.ts";

/** The three ChangeResourceRecordSets actions. */
export type ChangeAction = "CREATE" | "DELETE" | "UPSERT";

/** One `Change` element of a request; `set.values` is exactly what is sent. */
export interface BatchChange {
  action: ChangeAction;
  set: RecordSet;
}

/** One ChangeResourceRecordSets request. */
export interface ChangeBatch {
  comment: string;
  changes: BatchChange[];
  /** `ResourceRecord` elements as Route 53 counts them (UPSERT twice). */
  records: number;
  /** Value characters as Route 53 counts them (UPSERT twice). */
  chars: number;
}

/** Per-request limits. */
export interface BatchLimits {
  maxRecords: number;
  maxChars: number;
}

/** Route 53's documented per-request limits. */
export const ROUTE53_LIMITS: BatchLimits = { maxRecords: 1000, maxChars: 32000 };

/** What a change costs against the per-request limits. */
export interface Cost {
  records: number;
  chars: number;
}

function valueChars(values: string[]): number {
  let total = 0;
  for (const value of values) total += value.length;
  return total;
}

/** `ResourceRecord` elements of a set as Route 53 counts them: an alias counts one. */
function recordCount(set: RecordSet): number {
  return set.alias === undefined ? set.values.length : 1;
}

/** The cost of one request element: UPSERT counts twice. */
export function changeCost(change: BatchChange): Cost {
  const factor = change.action === "UPSERT" ? 2 : 1;
  return {
    records: factor * recordCount(change.set),
    chars: factor * valueChars(change.set.values),
  };
}

function sumCost(changes: BatchChange[]): Cost {
  const total = { records: 0, chars: 0 };
  for (const change of changes) {
    const cost = changeCost(change);
    total.records += cost.records;
    total.chars += cost.chars;
  }
  return total;
}

/** A cost as the share of one request it fills (the larger of the two dimensions). */
function load(cost: Cost, limits: BatchLimits): number {
  return Math.max(cost.records / limits.maxRecords, cost.chars / limits.maxChars);
}

function fits(cost: Cost, limits: BatchLimits): boolean {
  return cost.records <= limits.maxRecords && cost.chars <= limits.maxChars;
}

/** The set as a DELETE must send it: stored values, stored TTL. */
function storedForm(before: RecordSet & { storedValues?: string[] }): RecordSet {
  const { storedValues, ...set } = before;
  return storedValues === undefined ? set : { ...set, values: storedValues };
}

/** How updates are sent: the cheaper form, or always UPSERT. */
export type ReplaceMode = "cheapest" | "upsert";

/**
 * The request elements for one plan change. An update becomes UPSERT unless
 * DELETE+CREATE fills less of a request (it does when the set grows, since UPSERT
 * counts the new values twice); ties go to UPSERT, one element instead of two.
 */
export function toBatchChanges(
  change: Change,
  limits: BatchLimits = ROUTE53_LIMITS,
  mode: ReplaceMode = "cheapest",
): BatchChange[] {
  switch (change.kind) {
    case "create":
      return [{ action: "CREATE", set: change.after }];
    case "delete":
      return [{ action: "DELETE", set: storedForm(change.before) }];
    case "update": {
      const pair: BatchChange[] = [
        { action: "DELETE", set: storedForm(change.before) },
        { action: "CREATE", set: change.after },
      ];
      if ((change.before.alias === undefined) !== (change.after.alias === undefined)) return pair;
      const upsert: BatchChange[] = [{ action: "UPSERT", set: change.after }];
      if (mode === "upsert") return upsert;
      const upsertCost = sumCost(upsert);
      const pairCost = sumCost(pair);
      if (!fits(upsertCost, limits) && fits(pairCost, limits)) return pair;
      return load(pairCost, limits) < load(upsertCost, limits) ? pair : upsert;
    }
  }
}

/** Changes that must share a request, in plan order. */
interface Group {
  order: number;
  changes: BatchChange[];
  cost: Cost;
  label: string;
}

/** The (name, type) a `$self` alias points at, or undefined. */
function selfTargetKey(set: RecordSet): string | undefined {
  return set.alias?.zoneId === SELF_ZONE ? `${set.alias.target} ${set.type}` : undefined;
}

/**
 * Groups the plan's request elements: every change at a name that both loses and
 * gains a type goes in one group, and so does a `$self` alias's change with its
 * target's change; every other change is a group of its own.
 */
function groupChanges(changes: Change[], limits: BatchLimits, mode: ReplaceMode): Group[] {
  const deletedAt = new Set<string>();
  const createdAt = new Set<string>();
  const byKey = new Map<string, number>();
  changes.forEach((change, order) => {
    if (change.kind === "delete") deletedAt.add(change.before.name);
    if (change.kind === "create") createdAt.add(change.after.name);
    byKey.set(rrsetKey(changeSetOf(change)), order);
  });
  // union-find over change indices
  const parent = changes.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] as number] as number;
    return i;
  };
  const join = (a: number, b: number): void => {
    const ra = root(a), rb = root(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const firstAtName = new Map<string, number>();
  changes.forEach((change, order) => {
    const name = changeSetOf(change).name;
    if (deletedAt.has(name) && createdAt.has(name)) {
      const first = firstAtName.get(name);
      if (first === undefined) firstAtName.set(name, order);
      else join(first, order);
    }
    for (const set of changeSets(change)) {
      const target = selfTargetKey(set);
      const other = target === undefined ? undefined : byKey.get(target);
      if (other !== undefined) join(order, other);
    }
  });
  const groups = new Map<number, Group>();
  changes.forEach((change, order) => {
    const set = changeSetOf(change);
    const elements = toBatchChanges(change, limits, mode);
    const r = root(order);
    const group = groups.get(r);
    if (group === undefined) {
      groups.set(r, { order, changes: elements, cost: sumCost(elements), label: set.name });
      return;
    }
    group.changes.push(...elements);
    group.cost = sumCost(group.changes);
    const first = group.label.split(" ")[0] as string;
    group.label = set.name === first
      ? `${first} (type change)`
      : `${first} (with the changes it must travel with)`;
  });
  return [...groups.values()];
}

function changeSetOf(change: Change): RecordSet {
  return change.kind === "delete" ? change.before : change.after;
}

/** Both sides of a change: an update's old set may be the alias. */
function changeSets(change: Change): RecordSet[] {
  return change.kind === "update" ? [change.before, change.after] : [changeSetOf(change)];
}

/**
 * How many `$self` hops lead from a request element to a set this request does not
 * touch as an alias: 0 for plain sets. Creates go in rising depth (targets first),
 * deletes in falling depth (aliases first).
 */
function aliasDepths(elements: BatchChange[]): Map<BatchChange, number> {
  const bySet = new Map<string, RecordSet>();
  for (const e of elements) if (e.action !== "DELETE") bySet.set(rrsetKey(e.set), e.set);
  const deleted = new Map<string, RecordSet>();
  for (const e of elements) if (e.action === "DELETE") deleted.set(rrsetKey(e.set), e.set);
  const depth = (set: RecordSet, within: Map<string, RecordSet>): number => {
    let d = 0;
    let key = selfTargetKey(set);
    while (key !== undefined && d <= within.size) {
      const next = within.get(key);
      if (next === undefined) break;
      d++;
      key = selfTargetKey(next);
    }
    return d;
  };
  return new Map(
    elements.map((e) => [e, depth(e.set, e.action === "DELETE" ? deleted : bySet)]),
  );
}

const ACTION_ORDER: Record<ChangeAction, number> = { DELETE: 0, CREATE: 1, UPSERT: 2 };

/** Options of {@linkcode batchChanges}. */
export interface BatchOptions {
  /** The job's id, named in every request's Comment so Route 53's history points back. */
  jobId: string;
  limits?: BatchLimits;
  replace?: ReplaceMode;
}

/** Route 53 caps a Comment at 256 characters. */
function comment(jobId: string, index: number, count: number): string {
  const text = `dns-api job ${jobId} batch ${index}/${count}`;
  return text.length <= 256 ? text : text.slice(0, 256);
}

/**
 * Packs the plan's changes into requests: first-fit decreasing on the fuller of the
 * two limits, which reaches the lower bound for the uniform changes a zone push makes.
 * Inside a request, deletes come first; requests keep plan order by their first change.
 *
 * Throws a `RangeError` naming the set when one change (or one type-change group) is
 * too large for any request.
 */
export function batchChanges(changes: Change[], options: BatchOptions): ChangeBatch[] {
  const limits = options.limits ?? ROUTE53_LIMITS;
  const groups = groupChanges(changes, limits, options.replace ?? "cheapest");
  for (const group of groups) {
    if (!fits(group.cost, limits)) {
      throw new RangeError(
        `Cannot batch record set ${group.label}: it needs ${group.cost.records} ResourceRecord ` +
          `elements and ${group.cost.chars} value characters, more than one ` +
          `ChangeResourceRecordSets request allows (${limits.maxRecords} / ${limits.maxChars})`,
      );
    }
  }
  const bins: { groups: Group[]; cost: Cost }[] = [];
  const largestFirst = [...groups].sort((a, b) =>
    load(b.cost, limits) - load(a.cost, limits) || a.order - b.order
  );
  for (const group of largestFirst) {
    const bin = bins.find((candidate) =>
      fits({
        records: candidate.cost.records + group.cost.records,
        chars: candidate.cost.chars + group.cost.chars,
      }, limits)
    );
    if (bin === undefined) {
      bins.push({ groups: [group], cost: { ...group.cost } });
    } else {
      bin.groups.push(group);
      bin.cost.records += group.cost.records;
      bin.cost.chars += group.cost.chars;
    }
  }
  for (const bin of bins) bin.groups.sort((a, b) => a.order - b.order);
  bins.sort((a, b) => (a.groups[0]?.order ?? 0) - (b.groups[0]?.order ?? 0));
  return bins.map((bin, i) => {
    const elements = bin.groups.flatMap((group) => group.changes);
    const depth = aliasDepths(elements);
    // A stable sort keeps plan order within each action and alias depth.
    elements.sort((a, b) =>
      ACTION_ORDER[a.action] - ACTION_ORDER[b.action] ||
      (a.action === "DELETE" ? -1 : 1) * ((depth.get(a) ?? 0) - (depth.get(b) ?? 0))
    );
    return {
      comment: comment(options.jobId, i + 1, bins.length),
      changes: elements,
      records: bin.cost.records,
      chars: bin.cost.chars,
    };
  });
}

/**
 * The fewest requests any packing could use for these changes: total cost over each
 * limit, each update at its cheaper form in each dimension separately. The benchmark
 * compares the engine against it.
 */
export function minimumBatchCount(changes: Change[], limits: BatchLimits = ROUTE53_LIMITS): number {
  let records = 0;
  let chars = 0;
  for (const change of changes) {
    if (change.kind === "update") {
      const before = storedForm(change.before);
      const n = recordCount(change.after);
      const c = valueChars(change.after.values);
      records += Math.min(2 * n, n + recordCount(before));
      chars += Math.min(2 * c, c + valueChars(before.values));
    } else {
      const cost = sumCost(toBatchChanges(change, limits));
      records += cost.records;
      chars += cost.chars;
    }
  }
  return Math.max(Math.ceil(records / limits.maxRecords), Math.ceil(chars / limits.maxChars));
}
