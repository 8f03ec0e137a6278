/**
 * git's hook input, read once for both hook modes: pre-receive and post-receive get the
 * same `<old-sha> <new-sha> <ref>` lines on stdin.
 *
 * No imports: post-receive loads this on every push, within its start-up budget.
 *
 * @module
 */

/** One line of git's hook input: `<old-sha> <new-sha> <ref>`. */
export interface RefUpdate {
  old: string;
  new: string;
  ref: string;
}

// SHA-1 (40 hex digits) or SHA-256 (64) object names.
const UPDATE_LINE = /^([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) (\S+)$/;

/**
 * Reads git's pre/post-receive input. Lines that are not `sha sha ref` are ignored.
 *
 * @example
 * ```ts
 * parseRefUpdates("0000… 1a2b… refs/heads/main\n"); // [{ old, new, ref }]
 * ```
 */
export function parseRefUpdates(input: string): RefUpdate[] {
  const updates: RefUpdate[] = [];
  for (const line of input.split("\n")) {
    const m = UPDATE_LINE.exec(line.trim());
    if (m) updates.push({ old: m[1]!, new: m[2]!, ref: m[3]! });
  }
  return updates;
}

/** True for git's all-zero object name: the ref is created (old) or deleted (new). */
export function isZeroSha(sha: string): boolean {
  return /^0+$/.test(sha);
}
