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
}

/** 10 MiB, 10,000 sets (Route 53's default quota), 400 values per set (Route 53's limit). */
export const DEFAULT_ZONE_LIMITS: ZoneLimits = {
  maxBytes: 10 * 1024 * 1024,
  maxRecordSets: 10_000,
  maxValuesPerSet: 400,
};
