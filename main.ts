/**
 * Entry of the worker binary (`dns-api-worker`, or `deno task worker`): parses the
 * subcommand and configuration once, wires the real implementations, picks the exit
 * code. Everything else lives in cli/ and lib/.
 *
 * @module
 */
import { runCheck } from "./cli/check.ts";
import { createContext, type Output } from "./cli/context.ts";
import { cmdLogs, cmdStatus } from "./cli/report_cmds.ts";
import { cmdExport } from "./cli/export_cmd.ts";
import { cmdInstallHooks, cmdUser } from "./cli/user_cmds.ts";
import { cmdMigrate, cmdRun, cmdSync } from "./cli/worker_cmds.ts";
import { loadConfig } from "./lib/config.ts";

const USAGE = `usage: dns-api-worker <command> [options]

commands:
  run [--once] [--until-idle]    the worker daemon (SIGTERM: finish the job in hand, exit)
  check [--json] FILE...         validate zone files; the zone is the file's name
  plan --user U [--full]         dry run: what a sync of U would change
  sync --user U [--full] [--force]  one sync of U now
  migrate                        create the database if missing, apply migrations
  user add|ban|unban|expire U [--at ISO]  manage a customer (add creates REPOS_ROOT/U)
  install-hooks                  (re)install the hooks into every repository
  logs UUID [--json]             what a push's job did
  status [--json]                queue depth, running syncs, recent failures
  export ZONE                    a Route 53 zone as a BIND file, for onboarding

configuration comes from the environment: REDIS_URL, DATABASE_URL, REPOS_ROOT, WORK_ROOT,
ZONES_DIR, AWS_* (credentials, region, AWS_ENDPOINT_URL_ROUTE_53), METRICS_PORT, ...
(see README.md).
`;

const encoder = new TextEncoder();
const out: Output = {
  stdout: (s) => void Deno.stdout.writeSync(encoder.encode(s)),
  stderr: (s) => void Deno.stderr.writeSync(encoder.encode(s)),
};

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    out.stdout(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === "check") return await runCheck(args, out);

  let config;
  try {
    config = loadConfig(Deno.env.toObject());
  } catch (error) {
    out.stderr(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const ctx = createContext(config, out);
  const quiet = new AbortController();
  const stop = () => quiet.abort();
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  try {
    switch (command) {
      case "run":
        return await cmdRun(ctx, args, { quiet: quiet.signal });
      case "plan":
        return await cmdSync(ctx, args, true);
      case "sync":
        return await cmdSync(ctx, args, false);
      case "migrate":
        return await cmdMigrate(ctx);
      case "user":
        return await cmdUser(ctx, args);
      case "install-hooks":
        return await cmdInstallHooks(ctx, args);
      case "logs":
        return await cmdLogs(ctx, args);
      case "status":
        return await cmdStatus(ctx, args);
      case "export":
        return await cmdExport(ctx, args);
      default:
        out.stderr(`unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (
      error instanceof TypeError && /parseArgs|Unknown option|ERR_PARSE_ARGS/.test(String(error))
    ) {
      out.stderr(`${error.message}\n`);
      return 2;
    }
    out.stderr(`${command}: ${error instanceof Error ? error.message : String(error)}\n`);
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
