/**
 * Customer repositories: `REPOS_ROOT/<user>` as a bare git repository with the dns-api
 * hook installed, as the original's NEW:USER worker made them.
 *
 * The installed hooks are small `sh` wrappers that `exec` the hook command with the mode
 * (`post-receive`, `pre-receive`) as the last argument; every argument is single-quoted,
 * so no value is ever interpreted by the shell. The hook inherits the pusher's
 * environment (REDIS_URL, DNSAPI_HOOK_WAIT, DNSAPI_KEY_PREFIX, ...). The worker's
 * commands bake the hook settings file into the hook command instead
 * (`dns-api-hook --settings REPOS_ROOT/.dns-api-hook.env`, {@linkcode writeHookSettings}):
 * the hook reads it itself and its values override inherited ones, so a push over ssh,
 * where the environment is the git account's login, works as a local push does; sshd's
 * forced command (`… ssh <user>`) uses the same file. An env file can also be sourced by
 * the wrapper (`set -a; . FILE`, {@linkcode InstallOptions.envFile}).
 *
 * @module
 */

import { isAbsolute, join } from "node:path";
import { USER_PATTERN } from "../job/contract.ts";
import { type GitOptions, runGit } from "./run.ts";

export { USER_PATTERN };

/** The hook modes a repository gets. */
export const HOOK_MODES = ["post-receive", "pre-receive"] as const;
/** One of {@linkcode HOOK_MODES}. */
export type HookMode = typeof HOOK_MODES[number];

/** The command a wrapper runs; the mode is appended as the last argument. */
export interface HookCommand {
  command: string[];
}

/** Options for installing hooks. */
export interface InstallOptions {
  /** An env file (sh `KEY=value` lines) read by the wrapper when it exists. */
  envFile?: string;
  /** Which hooks to install (default both). */
  modes?: readonly HookMode[];
}

/** What {@linkcode installHooks} did. */
export interface InstallResult {
  /** Hook files written because they were missing or different. */
  written: string[];
  /** Hook files that already had exactly this content. */
  unchanged: string[];
}

/**
 * The hook command for running from source: `deno run` of `hook.ts` in the project
 * directory, with the hook's narrow permissions.
 *
 * @example
 * ```ts
 * sourceHookCommand(Deno.execPath(), "/opt/dns-api");
 * ```
 */
export function sourceHookCommand(
  denoPath: string,
  projectDir: string,
  door?: { settingsFile: string },
): HookCommand {
  // The SSH door runs the worker (deno itself, from source) and appends its log.
  const run = door ? `--allow-run=git,${denoPath}` : "--allow-run=git";
  return {
    command: [
      denoPath,
      "run",
      "--quiet",
      "--no-lock",
      "--config",
      join(projectDir, "deno.json"),
      "--allow-env",
      "--allow-read",
      "--allow-net",
      run,
      ...(door ? ["--allow-write", join(projectDir, "hook.ts"), "--settings", door.settingsFile] : [
        join(projectDir, "hook.ts"),
      ]),
    ],
  };
}

/**
 * The hook command for the compiled binary, e.g. `/usr/local/bin/dns-api-hook`, with the
 * settings file it reads when given.
 */
export function binaryHookCommand(binaryPath: string, settingsFile?: string): HookCommand {
  return { command: settingsFile ? [binaryPath, "--settings", settingsFile] : [binaryPath] };
}

/** Where the worker's commands write the hook settings: `REPOS_ROOT/.dns-api-hook.env`. */
export function hookSettingsPath(reposRoot: string): string {
  return join(reposRoot, ".dns-api-hook.env");
}

/** The text of a settings file: `KEY='value'` lines, read by lib/hook/settings.ts (pure). */
export function hookSettingsText(settings: Record<string, string>): string {
  const lines = ["# dns-api hook settings, written by dns-api-worker (install-hooks / user add)."];
  for (const [key, value] of Object.entries(settings)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new TypeError(`Bad setting name "${key}"`);
    if (/[\n\r]/.test(value)) throw new TypeError(`Setting ${key} holds a line break`);
    lines.push(`${key}=${shellQuote(value)}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes the hook settings file (mode 600, atomically: temporary file, rename) unless it
 * already holds exactly these settings; returns true when it wrote.
 */
export async function writeHookSettings(
  path: string,
  settings: Record<string, string>,
): Promise<boolean> {
  const text = hookSettingsText(settings);
  if (await Deno.readTextFile(path).catch(() => null) === text) return false;
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(tmp, text, { mode: 0o600 });
    await Deno.chmod(tmp, 0o600);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  return true;
}

/** Quotes one word for sh: single quotes, with `'` written as `'"'"'`. */
export function shellQuote(word: string): string {
  if (word.includes("\0")) throw new TypeError("Cannot quote an argument with a NUL byte");
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** The text of one wrapper (pure; see {@linkcode installHooks}). */
export function hookScript(mode: HookMode, hook: HookCommand, envFile?: string): string {
  if (hook.command.length === 0 || hook.command[0] === "") {
    throw new TypeError("Cannot install a hook: the hook command is empty");
  }
  const lines = [
    "#!/bin/sh",
    `# dns-api ${mode} hook, installed by dns-api-worker (user add / install-hooks).`,
    "# Reinstalling overwrites this file: change the worker's configuration instead.",
  ];
  if (envFile !== undefined) {
    const f = shellQuote(envFile);
    lines.push(`if [ -r ${f} ]; then set -a; . ${f}; set +a; fi`);
  }
  lines.push(`exec ${[...hook.command, mode].map(shellQuote).join(" ")}`, "");
  return lines.join("\n");
}

async function isBareRepo(path: string): Promise<boolean> {
  try {
    const [head, objects] = await Promise.all([
      Deno.stat(join(path, "HEAD")),
      Deno.stat(join(path, "objects")),
    ]);
    return head.isFile && objects.isDirectory;
  } catch {
    return false;
  }
}

/**
 * Writes `hooks/post-receive` and `hooks/pre-receive` (or `opts.modes`) into a bare
 * repository as executable wrappers; files that already match are left alone, others
 * are replaced atomically, so running it again changes nothing.
 */
export async function installHooks(
  repoPath: string,
  hook: HookCommand,
  opts: InstallOptions = {},
): Promise<InstallResult> {
  if (!(await isBareRepo(repoPath))) {
    throw new Error(`Cannot install hooks in ${repoPath}: not a bare git repository`);
  }
  const hooksDir = join(repoPath, "hooks");
  await Deno.mkdir(hooksDir, { recursive: true });
  const result: InstallResult = { written: [], unchanged: [] };
  for (const mode of opts.modes ?? HOOK_MODES) {
    const path = join(hooksDir, mode);
    const text = hookScript(mode, hook, opts.envFile);
    const current = await Deno.readTextFile(path).catch(() => null);
    const info = current === null ? null : await Deno.stat(path);
    if (current === text && info && (info.mode ?? 0) & 0o100) {
      result.unchanged.push(path);
      continue;
    }
    // Write then rename: a push running right now sees the old or the new hook, whole.
    const tmp = join(hooksDir, `.${mode}.${crypto.randomUUID()}.tmp`);
    try {
      await Deno.writeTextFile(tmp, text);
      await Deno.chmod(tmp, 0o755);
      await Deno.rename(tmp, path);
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw e;
    }
    result.written.push(path);
  }
  return result;
}

/** What {@linkcode createUserRepo} did. */
export interface CreateRepoResult {
  path: string;
  /** False when the repository already existed (its hooks were still (re)installed). */
  created: boolean;
  hooks: InstallResult;
}

/**
 * Creates `reposRoot/<user>` as a bare repository (default branch `main`, no template
 * hooks, objects checked on receive) and installs the hooks. An existing bare
 * repository is kept and only gets its hooks (re)installed; the user name must match
 * {@linkcode USER_PATTERN}.
 *
 * @example
 * ```ts
 * await createUserRepo("/repos", "steve", binaryHookCommand("/usr/local/bin/dns-api-hook"));
 * ```
 */
export async function createUserRepo(
  reposRoot: string,
  user: string,
  hook: HookCommand,
  opts: InstallOptions & { git?: GitOptions } = {},
): Promise<CreateRepoResult> {
  if (!USER_PATTERN.test(user)) {
    throw new TypeError(
      `Cannot create a repository for "${user}": user names are lower-case letters, ` +
        `digits, _ and -, starting with a letter or digit (${USER_PATTERN.source})`,
    );
  }
  if (!isAbsolute(reposRoot)) {
    throw new TypeError(`Cannot create repositories under ${reposRoot}: not an absolute path`);
  }
  // Validate the command before touching the disk.
  hookScript("post-receive", hook, opts.envFile);
  const path = join(reposRoot, user);
  let created = false;
  if (!(await isBareRepo(path))) {
    const occupied = await Deno.lstat(path).then(() => true, () => false);
    if (occupied) {
      throw new Error(`Cannot create ${path}: it exists and is not a bare git repository`);
    }
    await Deno.mkdir(reposRoot, { recursive: true });
    await runGit(
      ["init", "--quiet", "--bare", "--template=", "--initial-branch=main", path],
      opts.git,
    );
    await runGit(["-C", path, "config", "receive.fsckObjects", "true"], opts.git);
    created = true;
  }
  const hooks = await installHooks(path, hook, opts);
  return { path, created, hooks };
}
