/**
 * The rewrite of `DNSAPI_AUTHORIZED_KEYS` every command that changes who may log in
 * runs afterwards (`user key add|remove`, `user ban|unban|expire`, `install-keys`,
 * the daemon). Takes the hook command as a value, so cli/user_cmds.ts can call it.
 *
 * @module
 */
import { sshKeyStore } from "../lib/db.ts";
import type { HookCommand } from "../lib/git.ts";
import { type AuthorizedKeysKeeper, authorizedKeysKeeper } from "../lib/worker.ts";
import type { Context } from "./context.ts";

/** The keeper of the configured file, or undefined when DNSAPI_AUTHORIZED_KEYS is unset. */
export async function keeperOf(
  ctx: Context,
  hook: HookCommand,
): Promise<AuthorizedKeysKeeper | undefined> {
  const path = ctx.config.authorizedKeys;
  if (path === undefined) return undefined;
  return authorizedKeysKeeper(
    path,
    hook.command,
    sshKeyStore(await ctx.db()),
    undefined,
    ctx.config.workerKeys,
  );
}

/**
 * Rewrites the file when one is configured; returns the line to print, or undefined
 * when the file is not managed.
 */
export async function rewriteAuthorizedKeys(
  ctx: Context,
  hook: HookCommand,
): Promise<string | undefined> {
  const keeper = await keeperOf(ctx, hook);
  if (!keeper) return undefined;
  const n = await keeper.write();
  return `${ctx.config.authorizedKeys}: ${n} key${n === 1 ? "" : "s"} of active users`;
}
