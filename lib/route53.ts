/**
 * Route 53: the adapter (hosted zones, reading record sets and normalising them,
 * applying change batches, waiting, throttling and retries) and the zone engine on
 * top of it — the pure plan (`diffZone`, `planIncremental`), the safety gate and the
 * packing of changes into batches. The code lives in `lib/route53/` and `lib/plan/`.
 *
 * @module
 */

export * from "./route53/api.ts";
export * from "./route53/live_value.ts";
export * from "./route53/batch.ts";
export * from "./route53/rate_limit.ts";
export * from "./route53/retry.ts";
export * from "./route53/zone_sync.ts";
export * from "./plan/plan.ts";
export * from "./plan/incremental.ts";
export * from "./plan/safety.ts";
