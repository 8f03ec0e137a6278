/**
 * Customer accounts: `user add|ban|unban|expire U` and `install-hooks`.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  binaryHookCommand,
  createUserRepo,
  type HookCommand,
  hookSettingsPath,
  installHooks,
  sourceHookCommand,
  USER_PATTERN,
  writeHookSettings,
} from "../lib/git.ts";
import type { Config } from "../lib/config.ts";
import type { AnyInvocation } from "./commands.ts";
import type { Context } from "./context.ts";
import { messageOf } from "../lib/errors.ts";
import { rewriteAuthorizedKeys } from "./authorized_keys.ts";

const PROJECT_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * The command the installed hooks (and sshd's forced command, `… ssh <user>`) run:
 * `DNSAPI_HOOK_COMMAND` when set (the path of the compiled `dns-api-hook`); beside a
 * compiled worker, its sibling `dns-api-hook`; from source, `deno run … hook.ts` of this
 * checkout. With `settingsFile` it reads that file (`--settings`, see hookSettings).
 */
export function hookCommand(configured: string | undefined, settingsFile?: string): HookCommand {
  if (configured) return binaryHookCommand(configured, settingsFile);
  const exec = Deno.execPath();
  if (basename(exec) !== "deno") {
    return binaryHookCommand(join(dirname(exec), "dns-api-hook"), settingsFile);
  }
  return sourceHookCommand(exec, PROJECT_DIR, settingsFile ? { settingsFile } : undefined);
}

/** The worker binary as the SSH door runs it for the customer commands. */
function workerCommand(): string[] {
  const exec = Deno.execPath();
  if (basename(exec) !== "deno") return [exec];
  return [
    exec,
    "run",
    "--quiet",
    // The project's deno.lock (beside deno.json) pins the npm packages already cached.
    "--config",
    join(PROJECT_DIR, "deno.json"),
    "--allow-env",
    "--allow-read",
    "--allow-write",
    "--allow-net",
    "--allow-run=git",
    "--allow-sys",
    join(PROJECT_DIR, "main.ts"),
  ];
}

/**
 * What the hooks and the SSH door need from the worker's own configuration, so that
 * nothing comes from the pusher's environment. DNSAPI_CONTACT, DNSAPI_SSH_LOG,
 * DNSAPI_SSH_HOST (shown in `ssh git@HOST logs <uuid>`), NOTES_ROOT and DENO_DIR are passed on from the worker's environment when set.
 */
export function hookSettings(config: Config): Record<string, string> {
  const settings: Record<string, string> = {
    REDIS_URL: config.redisUrl,
    ...(config.redisCa ? { DNSAPI_REDIS_CA: config.redisCa } : {}),
    DATABASE_URL: config.databaseUrl,
    REPOS_ROOT: config.reposRoot,
    ZONES_DIR: config.zonesDir,
    DNSAPI_KEY_PREFIX: config.keyPrefix,
    DNSAPI_HOOK_WAIT: String(config.hookWaitSeconds),
    DNSAPI_DENY_DOMAINS: config.denyDomains.join(","),
    DNSAPI_WORKER_COMMAND: JSON.stringify(workerCommand()),
    // pre-receive holds a push to the limits the worker applies
    DNSAPI_MAX_RECORD_SETS: String(config.zoneLimits.maxRecordSets),
    DNSAPI_MAX_ZONE_BYTES: String(config.zoneLimits.maxBytes),
    DNSAPI_MAX_VALUES_PER_SET: String(config.zoneLimits.maxValuesPerSet),
  };
  // DENO_DIR: from source, the worker the door runs finds its npm packages where this one did.
  for (
    const name of ["DNSAPI_CONTACT", "DNSAPI_SSH_LOG", "DNSAPI_SSH_HOST", "NOTES_ROOT", "DENO_DIR"]
  ) {
    const value = Deno.env.get(name);
    if (value) settings[name] = value;
  }
  return settings;
}

/**
 * Writes the hook settings file and returns the hook command that reads it: what the
 * installed hooks and the SSH door's authorized_keys lines run.
 */
export async function installedHookCommand(config: Config): Promise<HookCommand> {
  const file = hookSettingsPath(config.reposRoot);
  await Deno.mkdir(config.reposRoot, { recursive: true });
  await writeHookSettings(file, hookSettings(config));
  return hookCommand(config.hookCommand, file);
}

function parseTime(text: string | undefined, fallback: Date | null): Date | null {
  if (text === undefined) return fallback;
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new RangeError(`Cannot read time "${text}": use ISO 8601`);
  return at;
}

/**
 * Creates the user (unless present) and the bare repository with its hooks, as the
 * original's NEW:USER worker did; idempotent. Returns a line saying what it did.
 */
export async function addUserWithRepo(
  ctx: Context,
  user: string,
  expiresAt: Date | null = null,
): Promise<string> {
  const db = await ctx.db();
  const existing = await db.getUser(user);
  if (!existing) await db.addUser(user, expiresAt);
  const repo = await createUserRepo(
    ctx.config.reposRoot,
    user,
    await installedHookCommand(ctx.config),
  );
  return `${existing ? "user exists" : "added user"} ${user}; repository ${repo.path} ` +
    `${repo.created ? "created" : "already there"}, hooks ${
      repo.hooks.written.length ? "installed" : "up to date"
    }`;
}

/** The invocations of the `user` group. */
export type UserInvocation = Exclude<
  Extract<AnyInvocation, { name: `user ${string}` }>,
  { name: `user key ${string}` } | { name: `user remote ${string}` } | { name: "user list" }
>;

/**
 * `user add|ban|unban|expire U [--expires ISO] [--at ISO | --never]`; a ban, unban or
 * expiry rewrites DNSAPI_AUTHORIZED_KEYS, so a banned user's keys stop working at once.
 */
export async function cmdUser(ctx: Context, invocation: UserInvocation): Promise<number> {
  const code = await changeUser(ctx, invocation);
  if (code === 0 && invocation.name !== "user add") {
    const line = await rewriteAuthorizedKeys(ctx, await installedHookCommand(ctx.config));
    if (line) ctx.out.stdout(`${line}\n`);
  }
  return code;
}

async function changeUser(ctx: Context, invocation: UserInvocation): Promise<number> {
  const [user] = invocation.args;
  if (!USER_PATTERN.test(user)) {
    ctx.out.stderr(`"${user}" is not a valid user name (${USER_PATTERN.source})\n`);
    return 2;
  }
  const db = await ctx.db();
  const missing = () => {
    ctx.out.stderr(`no user ${user}\n`);
    return 1;
  };
  switch (invocation.name) {
    case "user add": {
      const expiresAt = parseTime(invocation.values.expires, null);
      ctx.out.stdout(`${await addUserWithRepo(ctx, user, expiresAt)}\n`);
      return 0;
    }
    case "user ban":
      if (!await db.banUser(user)) return missing();
      ctx.out.stdout(`banned ${user}: pushes are refused by the worker until unban\n`);
      return 0;
    case "user unban":
      if (!await db.unbanUser(user)) return missing();
      ctx.out.stdout(`unbanned ${user}\n`);
      return 0;
    case "user expire": {
      const { at: when, never } = invocation.values;
      const at = never ? null : parseTime(when, new Date());
      if (!await db.expireUser(user, at)) return missing();
      ctx.out.stdout(at ? `${user} expires at ${at.toISOString()}\n` : `${user} never expires\n`);
      return 0;
    }
  }
}

/** `install-hooks`: (re)installs the hooks into every repository under REPOS_ROOT. */
export async function cmdInstallHooks(ctx: Context): Promise<number> {
  const hook = await installedHookCommand(ctx.config);
  let failed = 0;
  let count = 0;
  for await (const entry of Deno.readDir(ctx.config.reposRoot)) {
    if (!entry.isDirectory || !USER_PATTERN.test(entry.name)) continue;
    const path = join(ctx.config.reposRoot, entry.name);
    try {
      const result = await installHooks(path, hook);
      count++;
      ctx.out.stdout(`${path}: ${result.written.length ? "installed" : "up to date"}\n`);
    } catch (error) {
      failed++;
      ctx.out.stderr(`${path}: ${messageOf(error)}\n`);
    }
  }
  ctx.out.stdout(`${count} repositories done, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}
