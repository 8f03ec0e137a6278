/**
 * Registered remotes, the operator's side: `user remote set|show|clear|secret`. A user
 * with a remote is synced from it (lib/sync/user.ts) instead of REPOS_ROOT/U; the
 * webhook receiver checks deliveries against the user's webhook secret.
 *
 * What is printed: the public half of a new deploy key and a new webhook secret once,
 * when made; `secret` prints the secret on request. Private keys and tokens never.
 *
 * @module
 */
import type { Remote } from "../lib/db.ts";
import { USER_PATTERN } from "../lib/queue.ts";
import { authProblem, checkRemoteUrl, makeDeployKey, publicKeyOf } from "../lib/git.ts";
import { messageOf } from "../lib/errors.ts";
import type { AnyInvocation, Invocation } from "./commands.ts";
import type { Context } from "./context.ts";

/** The invocations of the `user remote` group. */
export type RemoteInvocation = Extract<AnyInvocation, { name: `user remote ${string}` }>;

const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._\/-]+(?<![\/.])$/;

/** `user remote set|show|clear|secret`. */
export async function cmdRemote(ctx: Context, invocation: RemoteInvocation): Promise<number> {
  const [user] = invocation.args;
  if (!USER_PATTERN.test(user)) {
    ctx.out.stderr(`Cannot use user "${user}": the name must match ${USER_PATTERN.source}\n`);
    return 1;
  }
  switch (invocation.name) {
    case "user remote set":
      return await set(ctx, invocation);
    case "user remote show":
      return await show(ctx, user, invocation.values.json);
    case "user remote clear":
      return await clear(ctx, user);
    case "user remote secret":
      return await secret(ctx, user, invocation.values.rotate);
  }
}

/** The URL to configure on the git host, or null without DNSAPI_WEBHOOK_URL. */
function webhookUrl(ctx: Context, user: string): string | null {
  return ctx.config.webhookUrl ? `${ctx.config.webhookUrl}/webhooks/${user}` : null;
}

async function set(ctx: Context, invocation: Invocation<"user remote set">): Promise<number> {
  const [user, url] = invocation.args;
  const { branch = "main", "deploy-key": deployKey, "token-file": tokenFile } = invocation.values;
  const fail = (message: string) => {
    ctx.out.stderr(`Cannot set the remote of ${user}: ${message}\n`);
    return 1;
  };
  if (deployKey && tokenFile !== undefined) {
    return fail("give --deploy-key or --token-file, not both");
  }
  if (!BRANCH.test(branch)) return fail(`"${branch}" is not a branch name`);
  const check = await checkRemoteUrl(url, ctx.config.remoteInsecureHosts);
  if (!check.ok) return fail(check.problem);
  const auth = deployKey ? "deploy-key" : tokenFile !== undefined ? "token" : "none";
  const mismatch = authProblem(auth, check.url);
  if (mismatch) return fail(mismatch);
  let credential: string | null = null;
  let publicKey: string | undefined;
  if (tokenFile !== undefined) {
    try {
      credential = (await Deno.readTextFile(tokenFile)).trim();
    } catch (error) {
      return fail(`cannot read ${tokenFile}: ${messageOf(error)}`);
    }
    // deno-lint-ignore no-control-regex
    if (credential === "" || /[\s\x00-\x1f]/.test(credential)) {
      return fail(`${tokenFile} must hold one token on one line`);
    }
  }
  if (deployKey) {
    const pair = await makeDeployKey(`dns-api ${user}`);
    credential = pair.privateKey;
    publicKey = pair.publicKey;
  }
  const db = await ctx.db();
  let result;
  try {
    result = await db.setRemote(user, { url, branch, auth, credential });
  } catch (error) {
    if (error instanceof RangeError) return fail(`there is no user ${user}`);
    throw error;
  }
  ctx.out.stdout(`${user} now syncs from ${url} (branch ${branch})\n`);
  if (publicKey) {
    ctx.out.stdout(
      `add this public key to the repository as a read-only deploy key:\n${publicKey}\n`,
    );
  }
  if (result.newSecret) {
    ctx.out.stdout(`webhook secret: ${result.remote.webhookSecret}\n`);
  }
  const hook = webhookUrl(ctx, user);
  ctx.out.stdout(
    hook ? `webhook URL: ${hook}\n` : "webhook URL: set DNSAPI_WEBHOOK_URL to print it\n",
  );
  return 0;
}

/** What `show --json` prints: the remote without its credential or secret. */
async function shown(ctx: Context, remote: Remote) {
  const deployKey = remote.auth === "deploy-key" && remote.credential
    ? await publicKeyOf(remote.credential)
    : null;
  return {
    user: remote.user,
    url: remote.url,
    branch: remote.branch,
    auth: remote.auth,
    webhookUrl: webhookUrl(ctx, remote.user),
    /** The deploy key's public half, to add to the repository again. */
    deployKey,
    createdAt: remote.createdAt.toISOString(),
    updatedAt: remote.updatedAt.toISOString(),
  };
}

async function show(ctx: Context, user: string, json: boolean): Promise<number> {
  const remote = await (await ctx.db()).getRemote(user);
  if (!remote) {
    ctx.out.stderr(`${user} has no registered remote (set one with \`user remote set\`)\n`);
    return 1;
  }
  const view = await shown(ctx, remote);
  if (json) {
    ctx.out.stdout(JSON.stringify(view) + "\n");
    return 0;
  }
  ctx.out.stdout(
    `user ${view.user}\nremote ${view.url}\nbranch ${view.branch}\nauth ${view.auth}\n` +
      `webhook ${view.webhookUrl ?? "(set DNSAPI_WEBHOOK_URL)"}\n` +
      (view.deployKey ? `deploy key ${view.deployKey}\n` : "") + `updated ${view.updatedAt}\n`,
  );
  return 0;
}

async function clear(ctx: Context, user: string): Promise<number> {
  if (!await (await ctx.db()).clearRemote(user)) {
    ctx.out.stderr(`${user} has no registered remote\n`);
    return 1;
  }
  ctx.out.stdout(`${user} syncs from ${ctx.config.reposRoot}/${user} again\n`);
  return 0;
}

async function secret(ctx: Context, user: string, rotate: boolean): Promise<number> {
  const db = await ctx.db();
  const value = rotate
    ? await db.rotateWebhookSecret(user)
    : (await db.getRemote(user))?.webhookSecret ?? null;
  if (value === null) {
    ctx.out.stderr(`${user} has no registered remote (set one with \`user remote set\`)\n`);
    return 1;
  }
  ctx.out.stdout(`${value}\n`);
  return 0;
}
