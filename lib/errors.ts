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

export { messageOf } from "./util/message.ts";
