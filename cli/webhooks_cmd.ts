/**
 * `webhooks [--port N]`: the webhook receiver. It only queues jobs, so it needs Redis
 * (the queue, the delivery ids) and MySQL (the registered remotes), no AWS credentials.
 * SIGTERM/SIGINT stop it once the requests in hand are answered.
 *
 * @module
 */

import { assertSchemaCurrent, schemaStatus } from "../lib/db.ts";
import { redisDeliveryLog, startWebhookServer, type WebhookUsers } from "../lib/queue.ts";
import type { Invocation } from "./commands.ts";
import { type Context, jsonLog } from "./context.ts";

/**
 * The registered remotes (`user remote set`) as the receiver needs them: the branch a
 * push must be to, and the secret its deliveries are signed with. A user without a
 * remote has none, so their deliveries answer 404.
 */
export function registeredRemotes(ctx: Context): WebhookUsers {
  return {
    async remoteOf(user) {
      const remote = await (await ctx.db()).getRemote(user);
      return remote ? { branch: remote.branch, secret: remote.webhookSecret } : null;
    },
  };
}

function readPort(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  const port = Number(text);
  return /^\d{1,5}$/.test(text) && port <= 65535 ? port : undefined;
}

/** Runs the receiver until `signals.quiet` aborts. */
export async function cmdWebhooks(
  ctx: Context,
  invocation: Invocation<"webhooks">,
  signals: { quiet: AbortSignal },
  users: WebhookUsers = registeredRemotes(ctx),
): Promise<number> {
  const port = readPort(invocation.values.port, ctx.config.webhooks.port);
  if (port === undefined) {
    ctx.out.stderr(`webhooks: --port ${invocation.values.port} is not a port (0-65535)\n`);
    return 2;
  }
  const log = jsonLog(ctx);
  const db = await ctx.db();
  assertSchemaCurrent(await schemaStatus(db));
  const queue = ctx.queue();
  await ctx.redis().ping();
  const server = startWebhookServer({
    port,
    hostname: ctx.config.webhooks.bind,
    deps: {
      users,
      deliveries: redisDeliveryLog(ctx.redis(), ctx.config.keyPrefix),
      enqueue: (job) => queue.enqueue(job),
      reposRoot: ctx.config.reposRoot,
      legacy: ctx.config.webhooks.legacy,
      log: (entry) => log({ ...entry }),
    },
  });
  log({
    level: "info",
    event: "listening",
    hostname: server.hostname,
    port: server.port,
    legacy: ctx.config.webhooks.legacy,
  });
  if (!signals.quiet.aborted) {
    await new Promise((resolve) =>
      signals.quiet.addEventListener("abort", resolve, { once: true })
    );
  }
  await server.close();
  log({ level: "info", event: "stopped" });
  return 0;
}
