/**
 * Retry policy for Route 53 calls, as pure functions: which errors are worth another
 * attempt, and how long to wait before it (exponential backoff with full jitter).
 * The loop that sleeps lives with the I/O, in lib/route53.ts.
 *
 * @example
 * ```ts
 * if (classifyError(error) === "transient") await sleep(backoffDelayMs(attempt));
 * ```
 *
 * @module
 */

/** Whether trying again can help. */
export type ErrorClass = "transient" | "permanent";

/** Error codes Route 53 (and the SDK) use for "slow down", "busy" and server trouble. */
const TRANSIENT_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "PriorRequestNotComplete",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "ServiceUnavailable",
  "InternalFailure",
  "InternalError",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
]);

/** Codes of errors that no retry fixes: the request itself is wrong. */
const PERMANENT_CODES = new Set([
  "InvalidChangeBatch",
  "InvalidInput",
  "HostedZoneNotEmpty",
  "NoSuchHostedZone",
  "NoSuchChange",
  "InvalidDomainName",
  "HostedZoneAlreadyExists",
  "TooManyHostedZones",
  "AccessDenied",
  "AccessDeniedException",
]);

/** Node and fetch error codes of a connection that failed or broke. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The HTTP status an SDK error carries in `$metadata.httpStatusCode`, if any. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = field(field(error, "$metadata"), "httpStatusCode");
  return typeof status === "number" ? status : undefined;
}

/**
 * Sorts an error into transient (retry) or permanent (fail now). Throttling,
 * PriorRequestNotComplete, 5xx and network failures are transient; InvalidChangeBatch,
 * InvalidInput, HostedZoneNotEmpty and other 4xx are permanent. Anything unrecognised
 * is permanent, so a bug is reported once instead of hammering the API.
 */
export function classifyError(error: unknown): ErrorClass {
  const name = text(field(error, "name"));
  const code = text(field(error, "code")) ?? text(field(error, "Code"));
  if (name !== undefined && PERMANENT_CODES.has(name)) return "permanent";
  if (name !== undefined && TRANSIENT_CODES.has(name)) return "transient";
  if (code !== undefined && (TRANSIENT_CODES.has(code) || NETWORK_CODES.has(code))) {
    return "transient";
  }
  const status = httpStatusOf(error);
  if (status !== undefined) return status >= 500 || status === 429 ? "transient" : "permanent";
  // The error of a failed fetch or socket may hide its code one level down, in `cause`.
  const cause = field(error, "cause");
  if (cause !== undefined && cause !== error) {
    const causeCode = text(field(cause, "code"));
    if (causeCode !== undefined && NETWORK_CODES.has(causeCode)) return "transient";
  }
  return "permanent";
}

/** Backoff settings. */
export interface BackoffPolicy {
  /** Delay scale of the first retry, in ms. Default 200. */
  baseMs?: number;
  /** Upper bound of any single delay, in ms. Default 20,000 (the SDK's own cap). */
  capMs?: number;
  /** Attempts in all, the first one included. Default 6. */
  maxAttempts?: number;
}

/** Defaults: 200 ms doubling, capped at 20 s, 6 attempts in all. */
export const DEFAULT_BACKOFF: Required<BackoffPolicy> = {
  baseMs: 200,
  capMs: 20_000,
  maxAttempts: 6,
};

/**
 * Delay before retry number `retry` (1 for the first retry): a uniformly random point
 * in [0, min(cap, base·2^(retry-1))] ("full jitter"), so workers throttled together do
 * not come back together. `random` returns a number in [0, 1).
 */
export function backoffDelayMs(
  retry: number,
  policy: BackoffPolicy = {},
  random: () => number = Math.random,
): number {
  const { baseMs, capMs } = { ...DEFAULT_BACKOFF, ...policy };
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** The decision after a failed attempt. */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/**
 * Decides what to do after attempt number `attempt` (1-based) failed with `error`:
 * retry transient errors after a jittered delay until `maxAttempts` is spent.
 */
export function nextRetry(
  attempt: number,
  error: unknown,
  policy: BackoffPolicy = {},
  random: () => number = Math.random,
): RetryDecision {
  const { maxAttempts } = { ...DEFAULT_BACKOFF, ...policy };
  if (classifyError(error) === "permanent" || attempt >= maxAttempts) return { retry: false };
  return { retry: true, delayMs: backoffDelayMs(attempt, policy, random) };
}
