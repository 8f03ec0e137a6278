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
