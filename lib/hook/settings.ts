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
 * Settings the pusher's own environment may still choose over the file: how long the
 * push waits for its result is the pusher's business, where it queues is not.
 */
export const PUSHER_CHOICES: readonly string[] = ["DNS_API_HOOK_WAIT"];

/**
 * The hook's view of one setting: the settings file over the inherited environment,
 * except for {@linkcode PUSHER_CHOICES}, where the inherited value comes first.
 */
export function settingOf(
  settings: Record<string, string>,
  inherited: (name: string) => string | undefined,
  name: string,
): string | undefined {
  if (PUSHER_CHOICES.includes(name)) return inherited(name) ?? settings[name];
  return settings[name] ?? inherited(name);
}
