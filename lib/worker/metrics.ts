/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in
 * the text exposition format 0.0.4, plus the metric names the worker updates.
 *
 * The registry is plain data mutated by plain functions, so the worker loop, the
 * Route 53 adapter and the metrics server can share one value without a class
 * hierarchy or an npm client.
 *
 * @example
 * ```ts
 * import { createDnsApiRegistry, recordJob, renderMetrics } from "./metrics.ts";
 * const registry = createDnsApiRegistry();
 * recordJob(registry, "succeeded");
 * console.log(renderMetrics(registry));
 * ```
 *
 * @module
 */

import { escapeControl } from "../util/escape.ts";

/** The kinds of metric this registry renders. */
export type MetricType = "counter" | "gauge" | "histogram";

/** Label name → value for one series. */
export type Labels = Readonly<Record<string, string>>;

/** What a metric family is declared with. */
export interface MetricDefinition {
  /** Metric name, e.g. `dnsapi_jobs_total`. */
  readonly name: string;
  /** One line shown as `# HELP`. */
  readonly help: string;
  /** Kind of metric, shown as `# TYPE`. */
  readonly type: MetricType;
  /** Label names every series of the family must carry, in output order. */
  readonly labelNames: readonly string[];
  /** Histogram upper bounds, ascending; `+Inf` is always added. Histograms only. */
  readonly buckets?: readonly number[];
}

/** One labelled series: a value, or bucket counts plus sum and count for a histogram. */
export interface Series {
  /** Label values in the family's `labelNames` order. */
  readonly labelValues: readonly string[];
  /** Counter or gauge value (unused by histograms). */
  value: number;
  /** Per-bucket (non-cumulative) observation counts, one per bucket bound. */
  readonly bucketCounts: number[];
  /** Sum of observed values (histograms). */
  sum: number;
  /** Number of observations (histograms). */
  count: number;
}

/** A declared family with its series, keyed by joined label values. */
export interface MetricFamily {
  /** The declaration. */
  readonly definition: MetricDefinition;
  /** Series by key (label values joined with a separator that cannot occur in them). */
  readonly series: Map<string, Series>;
}

/** All families, in declaration order. */
export interface Registry {
  /** Families by metric name. */
  readonly families: Map<string, MetricFamily>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Creates an empty registry. */
export function createRegistry(): Registry {
  return { families: new Map() };
}

/**
 * Declares a metric family. Declaring the same name twice with the same shape is a no-op,
 * so independent modules may each declare what they update.
 *
 * @throws {TypeError} on an invalid name, label name or bucket list, or a conflicting
 * re-declaration.
 */
export function defineMetric(registry: Registry, definition: MetricDefinition): void {
  const existing = registry.families.get(definition.name);
  if (existing) {
    if (JSON.stringify(existing.definition) !== JSON.stringify(definition)) {
      throw new TypeError(
        `Cannot define metric ${definition.name}: already defined with another shape`,
      );
    }
    return;
  }
  if (!METRIC_NAME.test(definition.name)) {
    throw new TypeError(`Cannot define metric: invalid name ${JSON.stringify(definition.name)}`);
  }
  for (const label of definition.labelNames) {
    if (!LABEL_NAME.test(label) || label.startsWith("__")) {
      throw new TypeError(
        `Cannot define metric ${definition.name}: invalid label name ${JSON.stringify(label)}`,
      );
    }
    if (definition.type === "histogram" && label === "le") {
      throw new TypeError(`Cannot define metric ${definition.name}: "le" is reserved`);
    }
  }
  if (new Set(definition.labelNames).size !== definition.labelNames.length) {
    throw new TypeError(`Cannot define metric ${definition.name}: duplicate label names`);
  }
  if (definition.type === "histogram") {
    const buckets = definition.buckets ?? [];
    const ascending = buckets.every((b, i) =>
      Number.isFinite(b) && (i === 0 || b > buckets[i - 1]!)
    );
    if (buckets.length === 0 || !ascending) {
      throw new TypeError(
        `Cannot define metric ${definition.name}: buckets must be finite and strictly ascending`,
      );
    }
  } else if (definition.buckets !== undefined) {
    throw new TypeError(`Cannot define metric ${definition.name}: only histograms have buckets`);
  }
  registry.families.set(definition.name, {
    definition: { ...definition, labelNames: [...definition.labelNames] },
    series: new Map(),
  });
}

function seriesFor(
  registry: Registry,
  name: string,
  labels: Labels,
  expected: MetricType,
): Series {
  const family = registry.families.get(name);
  if (!family) throw new TypeError(`Cannot update metric ${name}: not defined`);
  const { definition } = family;
  if (definition.type !== expected) {
    throw new TypeError(`Cannot update metric ${name}: it is a ${definition.type}`);
  }
  const given = Object.keys(labels);
  const missing = definition.labelNames.filter((l) => !(l in labels));
  const extra = given.filter((l) => !definition.labelNames.includes(l));
  if (missing.length > 0 || extra.length > 0) {
    throw new TypeError(
      `Cannot update metric ${name}: labels must be exactly [${definition.labelNames.join(", ")}]` +
        `, got [${given.join(", ")}]`,
    );
  }
  const labelValues = definition.labelNames.map((l) => labels[l] ?? "");
  // NUL cannot appear in a useful label value and keeps ["a,b"] apart from ["a","b"].
  const key = labelValues.join("\u0000");
  let series = family.series.get(key);
  if (!series) {
    series = {
      labelValues,
      value: 0,
      bucketCounts: (definition.buckets ?? []).map(() => 0),
      sum: 0,
      count: 0,
    };
    family.series.set(key, series);
  }
  return series;
}

/**
 * Adds `by` (default 1) to a counter series.
 *
 * @throws {RangeError} when `by` is negative or not finite: counters only go up.
 */
export function incCounter(registry: Registry, name: string, labels: Labels = {}, by = 1): void {
  if (!Number.isFinite(by) || by < 0) {
    throw new RangeError(`Cannot increment counter ${name}: ${by} is not a non-negative number`);
  }
  seriesFor(registry, name, labels, "counter").value += by;
}

/** Sets a gauge series to `value`. */
export function setGauge(registry: Registry, name: string, labels: Labels, value: number): void {
  seriesFor(registry, name, labels, "gauge").value = value;
}

/** Records one observation in a histogram series. */
export function observeHistogram(
  registry: Registry,
  name: string,
  labels: Labels,
  value: number,
): void {
  if (Number.isNaN(value)) throw new RangeError(`Cannot observe ${name}: value is NaN`);
  const series = seriesFor(registry, name, labels, "histogram");
  const buckets = registry.families.get(name)?.definition.buckets ?? [];
  const index = buckets.findIndex((bound) => value <= bound);
  // Values above the last bound only count towards +Inf, which is `count`.
  if (index >= 0) series.bucketCounts[index] = (series.bucketCounts[index] ?? 0) + 1;
  series.sum += value;
  series.count += 1;
}

/** Escapes a label value: backslash, double quote and line feed, as the format requires. */
export function escapeLabelValue(value: string): string {
  // Prometheus' own escapes first, then every other control character made visible.
  return escapeControl(
    value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n"),
  );
}

/** Escapes `# HELP` text: backslash and line feed only (quotes stay as they are). */
export function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

/** Formats a sample value: integers without a fraction, `+Inf`, `-Inf`, `NaN`. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function labelText(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return "";
  const parts = names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? "")}"`);
  return `{${parts.join(",")}}`;
}

function compareSeries(a: Series, b: Series): number {
  const x = a.labelValues.join("\u0000");
  const y = b.labelValues.join("\u0000");
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Renders every family in declaration order, series sorted by label values, as
 * Prometheus text format 0.0.4 (ends with a line feed). A family without labels and
 * without updates is shown as 0 so dashboards see it from the first scrape.
 */
export function renderMetrics(registry: Registry): string {
  const lines: string[] = [];
  for (const { definition, series } of registry.families.values()) {
    const { name, help, type, labelNames } = definition;
    lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    const all = [...series.values()].sort(compareSeries);
    if (all.length === 0 && labelNames.length === 0) {
      all.push({ labelValues: [], value: 0, bucketCounts: [], sum: 0, count: 0 });
    }
    for (const s of all) {
      if (type !== "histogram") {
        lines.push(`${name}${labelText(labelNames, s.labelValues)} ${formatValue(s.value)}`);
        continue;
      }
      const bucketNames = [...labelNames, "le"];
      let cumulative = 0;
      (definition.buckets ?? []).forEach((bound, i) => {
        cumulative += s.bucketCounts[i] ?? 0;
        const labels = labelText(bucketNames, [...s.labelValues, formatValue(bound)]);
        lines.push(`${name}_bucket${labels} ${cumulative}`);
      });
      lines.push(`${name}_bucket${labelText(bucketNames, [...s.labelValues, "+Inf"])} ${s.count}`);
      lines.push(`${name}_sum${labelText(labelNames, s.labelValues)} ${formatValue(s.sum)}`);
      lines.push(`${name}_count${labelText(labelNames, s.labelValues)} ${s.count}`);
    }
  }
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

/** Buckets for a whole sync, in seconds: a no-op sync takes well under a second,
 * a large zone waiting for Route 53 INSYNC can take minutes. */
export const SYNC_DURATION_BUCKETS: readonly number[] = [
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
  120,
  300,
];

/** The metrics the worker updates; names are a contract with dashboards and alerts. */
export const DNSAPI_METRICS = {
  jobs: {
    name: "dnsapi_jobs_total",
    help: "Jobs finished by the worker, by outcome.",
    type: "counter",
    labelNames: ["outcome"],
  },
  syncDuration: {
    name: "dnsapi_sync_duration_seconds",
    help: "Wall time of one sync job, from reserve to ack.",
    type: "histogram",
    labelNames: [],
    buckets: SYNC_DURATION_BUCKETS,
  },
  route53Calls: {
    name: "dnsapi_route53_calls_total",
    help: "Route 53 API calls, by operation and outcome.",
    type: "counter",
    labelNames: ["operation", "outcome"],
  },
  route53Throttles: {
    name: "dnsapi_route53_throttles_total",
    help: "Route 53 calls answered with a throttling error (each retry counts).",
    type: "counter",
    labelNames: [],
  },
  queueDepth: {
    name: "dnsapi_queue_depth",
    help: "Jobs waiting in Redis, sampled when /metrics is scraped.",
    type: "gauge",
    labelNames: [],
  },
  lockWaits: {
    name: "dnsapi_lock_waits_total",
    help: "Times a job waited because another worker held the user's lock.",
    type: "counter",
    labelNames: [],
  },
} as const satisfies Record<string, MetricDefinition>;

/** How a job ended, as counted in `dnsapi_jobs_total{outcome}`. */
export type JobOutcome = "succeeded" | "failed" | "retried";

/** How a Route 53 call ended, as counted in `dnsapi_route53_calls_total{outcome}`. */
export type Route53CallOutcome = "ok" | "throttled" | "error";

/** Creates a registry with every {@linkcode DNSAPI_METRICS} family declared. */
export function createDnsApiRegistry(): Registry {
  const registry = createRegistry();
  for (const definition of Object.values(DNSAPI_METRICS)) defineMetric(registry, definition);
  return registry;
}

/** Counts a finished job. */
export function recordJob(registry: Registry, outcome: JobOutcome): void {
  incCounter(registry, DNSAPI_METRICS.jobs.name, { outcome });
}

/** Records how long one sync took, in seconds. */
export function recordSyncDuration(registry: Registry, seconds: number): void {
  observeHistogram(registry, DNSAPI_METRICS.syncDuration.name, {}, seconds);
}

/**
 * Counts one Route 53 call (`operation` is the API name, e.g.
 * `ChangeResourceRecordSets`); a throttled call also counts in the throttle total.
 */
export function recordRoute53Call(
  registry: Registry,
  operation: string,
  outcome: Route53CallOutcome,
): void {
  incCounter(registry, DNSAPI_METRICS.route53Calls.name, { operation, outcome });
  if (outcome === "throttled") incCounter(registry, DNSAPI_METRICS.route53Throttles.name);
}

/** Sets the number of jobs waiting in Redis. */
export function setQueueDepth(registry: Registry, depth: number): void {
  setGauge(registry, DNSAPI_METRICS.queueDepth.name, {}, depth);
}

/** Counts `by` waits (default one) for another worker's per-user lock. */
export function recordLockWait(registry: Registry, by = 1): void {
  incCounter(registry, DNSAPI_METRICS.lockWaits.name, {}, by);
}
