/**
 * The error a Route 53 operation answers with, carrying the code and HTTP status the
 * service uses (docs/route53.md), so the server can render the standard
 * `ErrorResponse` envelope the AWS SDK understands.
 *
 * @module
 */

/**
 * A client-visible Route 53 error.
 *
 * @example
 * ```ts
 * throw new Route53Error("NoSuchHostedZone", "No hosted zone found with ID: Z1", 404);
 * ```
 */
export class Route53Error extends Error {
  /** The `Error/Code` text, e.g. `InvalidChangeBatch`. */
  readonly code: string;
  /** HTTP status of the response. */
  readonly status: number;

  /** Builds an error with the code, message and HTTP status Route 53 uses. */
  constructor(code: string, message: string, status = 400, options?: ErrorOptions) {
    super(message, options);
    this.name = code;
    this.code = code;
    this.status = status;
  }
}

/** `InvalidInput` with Route 53's "Invalid request: " prefix. */
export function invalidRequest(detail: string): Route53Error {
  return new Route53Error("InvalidInput", `Invalid request: ${detail}`);
}

/** `InvalidInput` with Route 53's schema-validation prefix "Invalid XML ; ". */
export function invalidXml(detail: string): Route53Error {
  return new Route53Error("InvalidInput", `Invalid XML ; ${detail}`);
}

/** `InvalidChangeBatch` whose message is the bracketed, ", "-joined list of failures. */
export function invalidChangeBatch(messages: readonly string[]): Route53Error {
  return new Route53Error("InvalidChangeBatch", `[${messages.join(", ")}]`);
}

/** 404 `NoSuchHostedZone` for an ID that names no zone. */
export function noSuchHostedZone(id: string): Route53Error {
  return new Route53Error("NoSuchHostedZone", `No hosted zone found with ID: ${id}`, 404);
}

/**
 * The text of a value Route 53's record parser refuses:
 * "Invalid Resource Record: FATAL problem: <code> (<description>) encountered with '<value>'".
 */
export function invalidRecord(code: string, description: string, value: string): string {
  return `Invalid Resource Record: FATAL problem: ${code} (${description}) encountered with '${value}'`;
}
