/**
 * The hook's settings file: the worker's own configuration for the hooks and the SSH
 * door (REDIS_URL, REPOS_ROOT, DNSAPI_KEY_PREFIX, ...), written by `install-hooks` and
 * `user add` (lib/git/repos.ts writeHookSettings) so a push needs nothing from the
 * pusher's environment. One `KEY='value'` line each, in sh syntax (the wrappers may
 * source it); this module reads the same lines back without a shell.
 *
 * @module
 */

const LINE = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/**
 * Reads `KEY=value` lines: values are single-quoted words (`'…'`, with `'"'"'` for a
 * quote) or bare words; blank lines and `#` comments are skipped.
 *
 * @throws {SyntaxError} naming the line that is not `KEY=value`.
 */
export function parseSettings(text: string, file = "settings"): Record<string, string> {
  const out: Record<string, string> = {};
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = LINE.exec(line);
    const value = m ? unquote(m[2] ?? "") : undefined;
    if (!m || value === undefined) {
      throw new SyntaxError(`${file}:${i + 1}: not a KEY='value' line`);
    }
    out[m[1] ?? ""] = value;
  });
  return out;
}

/** The value of sh words `'a'"'"'b'` or `plain`; undefined when it is not one word. */
function unquote(word: string): string | undefined {
  let out = "";
  let i = 0;
  while (i < word.length) {
    const c = word[i];
    if (c === "'" || c === '"') {
      const end = word.indexOf(c, i + 1);
      if (end < 0) return undefined;
      const inner = word.slice(i + 1, end);
      if (c === '"' && /[$`\\]/.test(inner)) return undefined;
      out += inner;
      i = end + 1;
    } else if (/[\s$`\\;&|<>()]/.test(c ?? "")) {
      return undefined;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * The names of how long post-receive waits for the job's result: `DNSAPI_HOOK_WAIT`,
 * sharing the prefix of every other setting, and the old `DNS_API_HOOK_WAIT`, still
 * read. Where both are set, the first wins.
 */
export const HOOK_WAIT_NAMES: readonly string[] = ["DNSAPI_HOOK_WAIT", "DNS_API_HOOK_WAIT"];

/**
 * Settings the pusher's own environment may still choose over the file: how long the
 * push waits for its result is the pusher's business, where it queues is not.
 */
export const PUSHER_CHOICES: readonly string[] = HOOK_WAIT_NAMES;

/** A setting's names, the current one first; most settings have one. */
function namesOf(name: string): readonly string[] {
  return HOOK_WAIT_NAMES.includes(name) ? HOOK_WAIT_NAMES : [name];
}

/**
 * The hook's view of one setting: the settings file over the inherited environment,
 * except for {@linkcode PUSHER_CHOICES}, where the inherited value comes first. A
 * setting with an old name is looked up by either: in each place the current name
 * wins, so a pusher's old `DNS_API_HOOK_WAIT` still beats the file's `DNSAPI_HOOK_WAIT`.
 */
export function settingOf(
  settings: Record<string, string>,
  inherited: (name: string) => string | undefined,
  name: string,
): string | undefined {
  const fromFile = (n: string): string | undefined => settings[n];
  const places = PUSHER_CHOICES.includes(name) ? [inherited, fromFile] : [fromFile, inherited];
  for (const place of places) {
    for (const n of namesOf(name)) {
      const value = place(n);
      if (value !== undefined) return value;
    }
  }
  return undefined;
}
