import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import {
  createDnsApiRegistry,
  createRegistry,
  defineMetric,
  escapeLabelValue,
  incCounter,
  observeHistogram,
  recordJob,
  recordLockWait,
  recordRoute53Call,
  recordSyncDuration,
  renderMetrics,
  setGauge,
  setQueueDepth,
} from "../lib/worker.ts";

Deno.test("renderMetrics() prints HELP, TYPE and one line per series, sorted by labels", () => {
  const r = createRegistry();
  defineMetric(r, { name: "x_total", help: "Things.", type: "counter", labelNames: ["kind"] });
  incCounter(r, "x_total", { kind: "b" });
  incCounter(r, "x_total", { kind: "a" }, 2);
  incCounter(r, "x_total", { kind: "b" });
  assertEquals(
    renderMetrics(r),
    [
      "# HELP x_total Things.",
      "# TYPE x_total counter",
      'x_total{kind="a"} 2',
      'x_total{kind="b"} 2',
      "",
    ].join("\n"),
  );
});

Deno.test("renderMetrics() shows an unlabelled metric as 0 before any update", () => {
  const r = createRegistry();
  defineMetric(r, { name: "y_total", help: "Y.", type: "counter", labelNames: [] });
  defineMetric(r, { name: "z", help: "Z.", type: "gauge", labelNames: ["q"] });
  assertEquals(
    renderMetrics(r),
    "# HELP y_total Y.\n# TYPE y_total counter\ny_total 0\n# HELP z Z.\n# TYPE z gauge\n",
  );
});

Deno.test("label values escape backslash, double quote and line feed", () => {
  assertEquals(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  const r = createRegistry();
  defineMetric(r, {
    name: "g",
    help: 'Help with \\ and\nnewline "kept"',
    type: "gauge",
    labelNames: ["v"],
  });
  setGauge(r, "g", { v: 'say "hi"\\\n' }, 1.5);
  assertEquals(
    renderMetrics(r).split("\n").slice(0, 3),
    [
      '# HELP g Help with \\\\ and\\nnewline "kept"',
      "# TYPE g gauge",
      'g{v="say \\"hi\\"\\\\\\n"} 1.5',
    ],
  );
});

Deno.test("histogram buckets are cumulative and end with +Inf, sum and count", () => {
  const r = createRegistry();
  defineMetric(r, {
    name: "d_seconds",
    help: "D.",
    type: "histogram",
    labelNames: ["op"],
    buckets: [0.1, 1, 10],
  });
  for (const v of [0.05, 0.1, 0.5, 3, 20, 30]) observeHistogram(r, "d_seconds", { op: "x" }, v);
  assertEquals(
    renderMetrics(r),
    [
      "# HELP d_seconds D.",
      "# TYPE d_seconds histogram",
      'd_seconds_bucket{op="x",le="0.1"} 2',
      'd_seconds_bucket{op="x",le="1"} 3',
      'd_seconds_bucket{op="x",le="10"} 4',
      'd_seconds_bucket{op="x",le="+Inf"} 6',
      'd_seconds_sum{op="x"} 53.65',
      'd_seconds_count{op="x"} 6',
      "",
    ].join("\n"),
  );
});

Deno.test("an unlabelled histogram starts with zero buckets, sum and count", () => {
  const r = createRegistry();
  defineMetric(r, { name: "h", help: "H.", type: "histogram", labelNames: [], buckets: [1] });
  assertEquals(
    renderMetrics(r).split("\n").slice(2, 6),
    ['h_bucket{le="1"} 0', 'h_bucket{le="+Inf"} 0', "h_sum 0", "h_count 0"],
  );
});

Deno.test("updates with the wrong labels, type or sign are refused", () => {
  const r = createRegistry();
  defineMetric(r, { name: "c_total", help: "C.", type: "counter", labelNames: ["a"] });
  assertThrows(() => incCounter(r, "c_total", {}), TypeError);
  assertThrows(() => incCounter(r, "c_total", { a: "1", b: "2" }), TypeError);
  assertThrows(() => incCounter(r, "c_total", { a: "1" }, -1), RangeError);
  assertThrows(() => setGauge(r, "c_total", { a: "1" }, 3), TypeError);
  assertThrows(() => incCounter(r, "missing_total"), TypeError);
});

Deno.test("defineMetric() refuses bad names, reserved labels and unsorted buckets", () => {
  const r = createRegistry();
  assertThrows(() => defineMetric(r, { name: "1x", help: "", type: "gauge", labelNames: [] }));
  assertThrows(() => defineMetric(r, { name: "x", help: "", type: "gauge", labelNames: ["__a"] }));
  assertThrows(() =>
    defineMetric(r, { name: "x", help: "", type: "histogram", labelNames: ["le"], buckets: [1] })
  );
  assertThrows(() =>
    defineMetric(r, { name: "x", help: "", type: "histogram", labelNames: [], buckets: [2, 1] })
  );
  defineMetric(r, { name: "ok", help: "", type: "gauge", labelNames: [] });
  defineMetric(r, { name: "ok", help: "", type: "gauge", labelNames: [] });
  assertThrows(() => defineMetric(r, { name: "ok", help: "", type: "counter", labelNames: [] }));
});

Deno.test("the dns-api helpers update the documented metric names", () => {
  const r = createDnsApiRegistry();
  recordJob(r, "succeeded");
  recordJob(r, "succeeded");
  recordJob(r, "failed");
  recordSyncDuration(r, 0.3);
  recordRoute53Call(r, "ChangeResourceRecordSets", "ok");
  recordRoute53Call(r, "ListResourceRecordSets", "throttled");
  setQueueDepth(r, 7);
  recordLockWait(r);
  const lines = renderMetrics(r).split("\n");
  for (
    const expected of [
      'dnsapi_jobs_total{outcome="failed"} 1',
      'dnsapi_jobs_total{outcome="succeeded"} 2',
      'dnsapi_sync_duration_seconds_bucket{le="0.25"} 0',
      'dnsapi_sync_duration_seconds_bucket{le="0.5"} 1',
      'dnsapi_sync_duration_seconds_bucket{le="+Inf"} 1',
      "dnsapi_sync_duration_seconds_count 1",
      'dnsapi_route53_calls_total{operation="ChangeResourceRecordSets",outcome="ok"} 1',
      'dnsapi_route53_calls_total{operation="ListResourceRecordSets",outcome="throttled"} 1',
      "dnsapi_route53_throttles_total 1",
      "dnsapi_queue_depth 7",
      "dnsapi_lock_waits_total 1",
      "# TYPE dnsapi_sync_duration_seconds histogram",
    ]
  ) {
    assertEquals(lines.includes(expected), true, `missing line: ${expected}`);
  }
});
