/**
 * Error classes that a thrower and a catcher in different subsystems both need, kept
 * here so that neither imports the other only for a class (the sync throws
 * {@linkcode UnrecoverableError}, the worker and the CLI catch it).
 *
 * @module
 */

/**
 * A job failure that retrying cannot fix (the user is missing, banned or expired):
 * the job fails at once instead of being retried with backoff.
 *
 * @example
 * ```ts
 * throw new UnrecoverableError("Cannot sync: user steve is banned");
 * ```
 */
export class UnrecoverableError extends Error {
  override name = "UnrecoverableError";
}

/**
 * The worker's lease on a user could not be renewed for most of its length (cut off
 * from Redis, or starved): another worker may take the user over, so this one stops
 * before its next change to Route 53. The queue retries the job.
 *
 * @example
 * ```ts
 * if (!stillOwned()) throw new LeaseLostError("before batch 2 of 3");
 * ```
 */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
  constructor(where: string) {
    super(
      `Cannot go on with the sync ${where}: the lease on this user could not be renewed in time`,
    );
  }
}

export { messageOf } from "./util/message.ts";
export { escapeControl } from "./util/escape.ts";
export { customerMessage, withoutServerDetails } from "./util/customer_text.ts";
