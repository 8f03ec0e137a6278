/**
 * Entry of the worker binary (`dns-api-worker`, or `deno task worker`): reads the
 * command line against the command table (cli/commands.ts), then the configuration,
 * wires the real implementations, picks the exit code. Everything else lives in cli/
 * and lib/.
 *
 * Help, `--version` and usage errors are answered before the configuration is read,
 * and the command modules (ioredis, mysql2, the AWS SDK) are loaded only for the
 * command that needs them, by static-string dynamic imports that `deno compile`
 * includes.
 *
 * @module
 */
import { answer, readCommandLine } from "./cli/command_line.ts";
import type { AnyInvocation } from "./cli/commands.ts";
import type { Context, Output } from "./cli/context.ts";
import { messageOf } from "./lib/errors.ts";

const encoder = new TextEncoder();
const out: Output = {
  stdout: (s) => void Deno.stdout.writeSync(encoder.encode(s)),
  stderr: (s) => void Deno.stderr.writeSync(encoder.encode(s)),
};

/** Runs one command that needs the configuration and its services (`check` needs only its zone limits). */
async function dispatch(
  ctx: Context,
  invocation: Exclude<AnyInvocation, { name: "check" }>,
  signals: { quiet: AbortSignal },
): Promise<number> {
  const worker = () => import("./cli/worker_cmds.ts");
  const users = () => import("./cli/user_cmds.ts");
  const reports = () => import("./cli/report_cmds.ts");
  switch (invocation.name) {
    case "run":
      return await (await worker()).cmdRun(ctx, invocation.values, signals);
    case "plan":
      return await (await worker()).cmdPlan(ctx, invocation.values);
    case "sync":
      return await (await worker()).cmdSync(ctx, invocation.values, false);
    case "migrate":
      return await (await worker()).cmdMigrate(ctx);
    case "user add":
    case "user ban":
    case "user unban":
    case "user expire":
      return await (await users()).cmdUser(ctx, invocation);
    case "user list":
    case "dead list":
    case "dead retry":
      return await (await import("./cli/ops_cmds.ts")).cmdOps(ctx, invocation);
    case "user key add":
    case "user key remove":
    case "user key list":
      return await (await import("./cli/key_cmds.ts")).cmdKey(ctx, invocation);
    case "install-keys":
      return await (await import("./cli/key_cmds.ts")).cmdInstallKeys(ctx);
    case "user remote set":
    case "user remote show":
    case "user remote clear":
    case "user remote secret":
      return await (await import("./cli/remote_cmds.ts")).cmdRemote(ctx, invocation);
    case "domain assign":
    case "domain list":
    case "domain release":
      return await (await import("./cli/domain_cmds.ts")).cmdDomain(ctx, invocation);
    case "install-hooks":
      return await (await users()).cmdInstallHooks(ctx);
    case "logs":
      return await (await reports()).cmdLogs(ctx, invocation);
    case "status":
      return await (await reports()).cmdStatus(ctx, invocation);
    case "webhooks":
      return await (await import("./cli/webhooks_cmd.ts")).cmdWebhooks(ctx, invocation, signals);
    case "customer":
      return await (await import("./cli/customer_cmds.ts")).cmdCustomer(ctx, invocation);
    case "export":
      return await (await import("./cli/export_cmd.ts")).cmdExport(ctx, invocation);
  }
}

async function main(argv: string[]): Promise<number> {
  const read = readCommandLine(argv);
  if ("code" in read) return answer(read, out);
  const { loadConfig } = await import("./lib/config.ts");
  let config;
  try {
    config = loadConfig(Deno.env.toObject());
  } catch (error) {
    out.stderr(`${messageOf(error)}\n`);
    return 2;
  }
  if (read.name === "check") {
    return await (await import("./cli/check.ts")).checkZones(read, out, config.zoneLimits);
  }
  const { createContext } = await import("./cli/context.ts");
  const ctx = createContext(config, out);
  const quiet = new AbortController();
  const stop = () => quiet.abort();
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  try {
    return await dispatch(ctx, read, { quiet: quiet.signal });
  } catch (error) {
    out.stderr(`${read.name}: ${messageOf(error)}\n`);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGTERM", stop);
    Deno.removeSignalListener("SIGINT", stop);
    await ctx.close();
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
