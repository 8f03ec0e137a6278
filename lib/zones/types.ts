/**
 * The shapes every zone reader shares: a problem with its line, and the size limits
 * one zone file is held to.
 *
 * @module
 */

/** One problem in a zone file: its 1-based line (0 for the whole file) and what to do. */
export interface ZoneProblem {
  line: number;
  message: string;
}

/** Size limits applied to one zone file. */
export interface ZoneLimits {
  /** Largest file, in bytes (UTF-8). */
  maxBytes: number;
  /** Most record sets in the zone (Route 53's default quota is 10,000). */
  maxRecordSets: number;
  /** Most values in one set (Route 53 allows 400). */
  maxValuesPerSet: number;
  /**
   * Longest time reading one file may take, in milliseconds (checked every 256 lines or
   * generated records): past it the file is refused, naming the line reached. Bounds the
   * CPU a pathological file costs the worker and pre-receive alike.
   */
  maxParseMs: number;
}

/**
 * 10 MiB, 10,000 sets (Route 53's default quota), 400 values per set (Route 53's limit),
 * 5 s of reading (a valid 10 MiB file takes about 1 s on a busy 2-core machine).
 */
export const DEFAULT_ZONE_LIMITS: ZoneLimits = {
  maxBytes: 10 * 1024 * 1024,
  maxRecordSets: 10_000,
  maxValuesPerSet: 400,
  maxParseMs: 5_000,
};

/** Route 53's own limit of values in one record set: no setting raises it. */
export const ROUTE53_MAX_VALUES_PER_SET = 400;

/** The operator's settings of {@linkcode ZoneLimits}, by environment variable. */
const LIMIT_VARIABLES = {
  DNSAPI_MAX_RECORD_SETS: "maxRecordSets",
  DNSAPI_MAX_ZONE_BYTES: "maxBytes",
  DNSAPI_MAX_VALUES_PER_SET: "maxValuesPerSet",
} as const;

/** The variables {@linkcode zoneLimitsFromEnv} reads (the hook settings carry them). */
export const ZONE_LIMIT_VARIABLES: readonly string[] = Object.keys(LIMIT_VARIABLES);

/**
 * Reads the operator's zone limits (DNSAPI_MAX_RECORD_SETS, DNSAPI_MAX_ZONE_BYTES,
 * DNSAPI_MAX_VALUES_PER_SET) over {@linkcode DEFAULT_ZONE_LIMITS}: one reader for the
 * worker's configuration and the pre-receive hook alike. Each problem names the variable.
 *
 * @example
 * ```ts
 * zoneLimitsFromEnv((n) => ({ DNSAPI_MAX_RECORD_SETS: "20000" })[n]).limits.maxRecordSets; // 20000
 * ```
 */
export function zoneLimitsFromEnv(
  env: (name: string) => string | undefined,
): { limits: ZoneLimits; problems: string[] } {
  const limits = { ...DEFAULT_ZONE_LIMITS };
  const problems: string[] = [];
  for (const [name, field] of Object.entries(LIMIT_VARIABLES)) {
    const text = env(name)?.trim();
    if (text === undefined || text === "") continue;
    const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < 1) {
      problems.push(`${name}: must be a whole number of at least 1, not "${text}"`);
    } else if (field === "maxValuesPerSet" && value > ROUTE53_MAX_VALUES_PER_SET) {
      problems.push(
        `${name}: ${value} is more than Route 53 allows in one record set ` +
          `(${ROUTE53_MAX_VALUES_PER_SET}); set at most ${ROUTE53_MAX_VALUES_PER_SET}`,
      );
    } else {
      limits[field] = value;
    }
  }
  return { limits, problems };
}
