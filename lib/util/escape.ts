/**
 * Makes text a customer controls (file names, record text, git output) safe to show on
 * a terminal or in a log: control characters become visible escapes, so an ANSI
 * sequence cannot repaint an operator's terminal and a file name holding a newline
 * cannot forge a `remote: dns-api: … succeeded` line.
 *
 * Escaped: C0 controls except TAB (`\n`, `\r`, `\0`, others as `\xHH`), DEL and C1 controls
 * (`\u007f`, `\u0085`), the Unicode line and paragraph separators and the bidirectional
 * overrides and isolates (`\u202e`), which can make a line read differently from what it
 * holds. Past C0 the escapes are JSON's own, so escaping `JSON.stringify` output (which
 * already escapes C0) keeps it valid JSON with the same value. Everything else, backslashes included, is left as it is: zone text is full of
 * `\032`-style escapes that must stay readable.
 *
 * @example
 * ```ts
 * escapeControl("zones/a\nremote: dns-api: ok"); // "zones/a\\nremote: dns-api: ok"
 * escapeControl("\x1b[2Jgone"); // "\\x1b[2Jgone"
 * ```
 */
export function escapeControl(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeOne) : text;
}

// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// deno-lint-ignore no-control-regex
const UNSAFE_ALL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\0": "\\0" };

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ??
    (code < 0x7f
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`);
}
