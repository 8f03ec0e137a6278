/**
 * Per-account notes: the operator's file `NOTES_ROOT/<user>` ("your invoice is overdue",
 * "you are a sponsored account"), shown in that customer's push output and in the SSH
 * door's `help`. No npm or node: imports: the hook loads it.
 *
 * @module
 */

import { escapeControl } from "../util/escape.ts";

/** At most this many lines of a note are shown; a longer note is cut with `…`. */
export const MAX_NOTE_LINES = 10;

/** The lines of a note as the customer sees them: trimmed, escaped, at most ten. */
export function noteLines(text: string): string[] {
  const lines = text.replace(/\s+$/, "").split("\n").map((l) => l.replace(/\r$/, ""));
  if (lines.length === 1 && lines[0] === "") return [];
  const shown = lines.length > MAX_NOTE_LINES
    ? [...lines.slice(0, MAX_NOTE_LINES - 1), "…"]
    : lines;
  return shown.map(escapeControl);
}

/** The user's note, or none when NOTES_ROOT is unset or the file is missing/unreadable. */
export async function readNote(
  io: { env(name: string): string | undefined; readTextFile(path: string): Promise<string> },
  user: string,
): Promise<string[]> {
  const root = io.env("NOTES_ROOT");
  if (!root) return [];
  const text = await io.readTextFile(`${root.replace(/\/+$/, "")}/${user}`).catch(() => "");
  return noteLines(text);
}
