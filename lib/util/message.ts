/**
 * What an error says, for a log line or a message: its `message` when it is an
 * `Error`, else its string form.
 *
 * @example
 * ```ts
 * messageOf(new RangeError("too big")); // "too big"
 * messageOf("plain"); // "plain"
 * ```
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
