/**
 * The operator's daily lists: `user list [--json]`, `dead list [--json]` and
 * `dead retry UUID` (the dead list seen and recovered without redis-cli).
 *
 * @module
 */
import { escapeControl } from "../lib/errors.ts";
import type { AnyInvocation, Invocation } from "./commands.ts";
import type { Context } from "./context.ts";
import { UUID } from "./report_cmds.ts";
import { formatTable } from "./table.ts";

/** The invocations answered here. */
export type OpsInvocation = Extract<
  AnyInvocation,
  { name: "user list" | "dead list" | "dead retry" }
>;

/** The dead list holds at most this many entries (lib/queue/lua.ts trims it). */
const DEAD_LIST_MAX = 10_000;

/** `user list`, `dead list`, `dead retry UUID`. */
export async function cmdOps(ctx: Context, invocation: OpsInvocation): Promise<number> {
  switch (invocation.name) {
    case "user list":
      return await userList(ctx, invocation);
    case "dead list":
      return await deadList(ctx, invocation);
    case "dead retry":
      return await deadRetry(ctx, invocation);
  }
}

async function userList(ctx: Context, invocation: Invocation<"user list">): Promise<number> {
  const users = await (await ctx.db()).listUsers();
  const shown = users.map((u) => ({
    name: u.name,
    status: u.status,
    expiresAt: u.expiresAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  }));
  if (invocation.values.json) {
    ctx.out.stdout(JSON.stringify(shown, null, 2) + "\n");
  } else if (shown.length === 0) {
    ctx.out.stdout("no users\n");
  } else {
    ctx.out.stdout(formatTable([
      ["USER", "STATUS", "EXPIRES", "CREATED"],
      ...shown.map((u) => [u.name, u.status, u.expiresAt ?? "-", u.createdAt]),
    ]));
  }
  return 0;
}

/** One dead entry's fields as `dead list` shows them (whatever the stored shape). */
function deadRow(entry: unknown): string[] {
  const e = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
  const text = (v: unknown) => (v === undefined || v === null ? "-" : escapeControl(String(v)));
  return [text(e.uuid), text(e.user), text(e.failedAt), text(e.attempts), text(e.reason)];
}

async function deadList(ctx: Context, invocation: Invocation<"dead list">): Promise<number> {
  const entries = await ctx.queue().recentDead(DEAD_LIST_MAX);
  if (invocation.values.json) {
    ctx.out.stdout(JSON.stringify(entries, null, 2) + "\n");
  } else if (entries.length === 0) {
    ctx.out.stdout("the dead list is empty\n");
  } else {
    ctx.out.stdout(formatTable([
      ["UUID", "USER", "FAILED", "ATTEMPTS", "REASON"],
      ...entries.map(deadRow),
    ]));
  }
  return 0;
}

async function deadRetry(ctx: Context, invocation: Invocation<"dead retry">): Promise<number> {
  const [uuid] = invocation.args;
  if (!UUID.test(uuid)) {
    ctx.out.stderr(`dead retry: "${escapeControl(uuid)}" is not a job id (a UUID)\n`);
    return 2;
  }
  const answer = await ctx.queue().retryDead(uuid);
  if (answer === "queued") {
    ctx.out.stdout(`queued ${uuid} again and took it off the dead list\n`);
    return 0;
  }
  ctx.out.stderr(
    answer === "busy"
      ? `Cannot retry ${uuid}: it is already queued or running; see \`logs ${uuid}\`\n`
      : `Cannot retry ${uuid}: it is not in the dead list (see \`dead list\`)\n`,
  );
  return 1;
}
