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
  installHooks,
  sourceHookCommand,
  USER_PATTERN,
} from "../lib/git.ts";
import type { AnyInvocation } from "./commands.ts";
import type { Context } from "./context.ts";
import { messageOf } from "../lib/errors.ts";

/**
 * The command the installed hooks run: `DNSAPI_HOOK_COMMAND` when set (the path of the
 * compiled `dns-api-hook`); beside a compiled worker, its sibling `dns-api-hook`; from
 * source, `deno run … hook.ts` of this checkout.
 */
export function hookCommand(configured: string | undefined): HookCommand {
  if (configured) return binaryHookCommand(configured);
  const exec = Deno.execPath();
  if (basename(exec) !== "deno") return binaryHookCommand(join(dirname(exec), "dns-api-hook"));
  return sourceHookCommand(exec, dirname(dirname(fileURLToPath(import.meta.url))));
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
    hookCommand(ctx.config.hookCommand),
  );
  return `${existing ? "user exists" : "added user"} ${user}; repository ${repo.path} ` +
    `${repo.created ? "created" : "already there"}, hooks ${
      repo.hooks.written.length ? "installed" : "up to date"
    }`;
}

/** The invocations of the `user` group. */
export type UserInvocation = Exclude<
  Extract<AnyInvocation, { name: `user ${string}` }>,
  { name: `user remote ${string}` }
>;

/** `user add|ban|unban|expire U [--expires ISO] [--at ISO | --never]`. */
export async function cmdUser(ctx: Context, invocation: UserInvocation): Promise<number> {
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
  const hook = hookCommand(ctx.config.hookCommand);
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
