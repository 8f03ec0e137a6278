/**
 * The operator commands' plain-text tables: columns padded to their widest cell, two
 * spaces apart, the header first.
 *
 * @module
 */

/**
 * The lines of a table (each ending in a newline), trailing spaces trimmed.
 *
 * @example
 * ```ts
 * formatTable([["USER", "STATUS"], ["alice", "active"]]); // "USER   STATUS\nalice  active\n"
 * ```
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd())
    .map((line) => `${line}\n`).join("");
}
