/**
 * `deno task demo`: the whole flow on one machine. A temporary world (repositories,
 * working copies, a database, the local Route 53 server with a state file), a customer
 * added as an operator would, a real `git push` through the installed hook, the worker
 * daemon syncing it, and what a newcomer wants to see: the push output, the job log,
 * the record sets now in Route 53, the name servers to set at the registrar.
 *
 * Redis and MariaDB are disposable instances started from the system binaries, unless
 * REDIS_URL / DATABASE_URL name running ones. `--keep` leaves everything running and
 * prints how to push again and how to stop.
 *
 * @module
 */
import { Route53Client } from "@aws-sdk/client-route-53";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { findHostedZone, getNameservers, listRecordSets, route53Api } from "./lib/route53.ts";
import { startRoute53Local } from "./testing/route53_local/server.ts";
import { type Service, startMariadb, startRedis } from "./testing/services.ts";
import { workerTaskFlags } from "./testing/worker_flags.ts";

const PROJECT = dirname(fileURLToPath(import.meta.url));
const CUSTOMER = "demo";

const SHOP_ZONE = `; zones/shop.test: BIND format, as customers write it
$TTL 1h
@        IN  A      192.0.2.10
@        IN  AAAA   2001:db8::10
@        IN  MX     10 mail
@        IN  TXT    "v=spf1 mx -all"
@        IN  CAA    0 issue "letsencrypt.org"
www      IN  CNAME  @
mail     IN  A      192.0.2.25
*.dev    300 IN TXT "wildcard for preview sites"
_xmpp._tcp   SRV    10 5 5222 chat
chat     IN  A      192.0.2.26
`;

const LEGACY_ZONE = `# zones/legacy-shop.test: the original service's format, still accepted
@legacy-shop.test:mail.legacy-shop.test:10:3600
+mail.legacy-shop.test:192.0.2.45:3600
+legacy-shop.test:192.0.2.40
+www:192.0.2.40
6www:20010db8000000000000000000000040
Tlegacy-shop.test:"v=spf1 ip4:192.0.2.0/24 -all":3600
`;

function section(title: string): void {
  console.log(`\n=== ${title} ${"=".repeat(Math.max(0, 70 - title.length))}`);
}

async function run(
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd?: string; check?: boolean },
): Promise<{ code: number; text: string }> {
  const output = await new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  if (options.check !== false && output.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (exit ${output.code}):\n${text}`);
  }
  return { code: output.code, text };
}

function worker(args: string[], env: Record<string, string>) {
  return run(Deno.execPath(), ["run", ...workerTaskFlags(), join(PROJECT, "main.ts"), ...args], {
    env,
  });
}

async function waitForFinal(uuid: string, env: Record<string, string>): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { text } = await worker(["logs", uuid, "--json"], env);
    const status = (JSON.parse(text) as { status: string }).status;
    if (status === "succeeded" || status === "failed") return status;
    if (Date.now() > deadline) throw new Error(`job ${uuid} is still ${status} after 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ args: Deno.args, options: { keep: { type: "boolean" } } });
  const world = await Deno.makeTempDir({ prefix: "dnsapi-demo-" });
  const cleanups: (() => Promise<void>)[] = [];
  let workerProcess: Deno.ChildProcess | undefined;
  try {
    section("starting services");
    let redisUrl = Deno.env.get("REDIS_URL");
    let databaseUrl = Deno.env.get("DATABASE_URL");
    const services: Service[] = [];
    if (!redisUrl) {
      const redis = await startRedis();
      services.push(redis);
      redisUrl = redis.url;
      console.log(`redis: disposable instance at ${redis.url}`);
    } else console.log(`redis: using REDIS_URL ${redisUrl}`);
    if (!databaseUrl) {
      console.log("mariadb: initialising a disposable instance (a few seconds)...");
      const db = await startMariadb();
      services.push(db);
      databaseUrl = db.url;
      console.log(`mariadb: disposable instance at ${db.url}`);
    } else console.log(`mariadb: using DATABASE_URL (database name from it)`);
    for (const s of services) cleanups.push(s.stop);
    const statePath = join(world, "route53-state.json");
    const route53 = await startRoute53Local({ port: 0, statePath });
    cleanups.push(() => route53.close());
    console.log(`route53: local server at ${route53.url} (state in ${statePath})`);

    const home = join(world, "home");
    await Deno.mkdir(home);
    const env: Record<string, string> = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: home,
      // The customer's HOME is fresh; keep Deno's module cache so nothing re-downloads.
      DENO_DIR: Deno.env.get("DENO_DIR") ??
        join(Deno.env.get("HOME") ?? "/root", ".cache", "deno"),
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
      REPOS_ROOT: join(world, "repos"),
      WORK_ROOT: join(world, "git"),
      DNSAPI_KEY_PREFIX: `demo:${crypto.randomUUID().slice(0, 8)}:`,
      AWS_ENDPOINT_URL_ROUTE_53: route53.url,
      AWS_ACCESS_KEY_ID: "demo",
      AWS_SECRET_ACCESS_KEY: "demo",
      AWS_REGION: "us-east-1",
      DNS_API_HOOK_WAIT: "15",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "Demo Customer",
      GIT_AUTHOR_EMAIL: "customer@demo.invalid",
      GIT_COMMITTER_NAME: "Demo Customer",
      GIT_COMMITTER_EMAIL: "customer@demo.invalid",
      NO_COLOR: "1",
    };
    await Deno.mkdir(env.REPOS_ROOT!);
    await Deno.mkdir(env.WORK_ROOT!);

    section("operator: migrate and add a customer");
    console.log((await worker(["migrate"], env)).text.trim());
    console.log((await worker(["user", "add", CUSTOMER], env)).text.trim());

    section("operator: start the worker daemon");
    workerProcess = new Deno.Command(Deno.execPath(), {
      args: ["run", ...workerTaskFlags(), join(PROJECT, "main.ts"), "run"],
      env,
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    console.log(`worker running (pid ${workerProcess.pid}); operator logs are JSON lines`);

    section("customer: commit zone files and git push");
    const clone = join(world, "customer");
    await run("git", ["init", "-q", "-b", "main", clone], { env });
    await Deno.mkdir(join(clone, "zones"));
    await Deno.writeTextFile(join(clone, "zones", "shop.test"), SHOP_ZONE);
    await Deno.writeTextFile(join(clone, "zones", "legacy-shop.test"), LEGACY_ZONE);
    await run("git", ["add", "."], { env, cwd: clone });
    await run("git", ["commit", "-q", "-m", "Our zones"], { env, cwd: clone });
    const remote = join(env.REPOS_ROOT!, CUSTOMER);
    console.log(`$ git push ${remote} main`);
    const push = await run("git", ["push", remote, "main"], { env, cwd: clone });
    console.log(push.text.trimEnd());
    const uuid = /dns-api: queued ([0-9a-f-]{36})/.exec(push.text)?.[1];
    if (!uuid) throw new Error("the push did not print a queued job");

    section(`the job's log (deno task worker logs ${uuid})`);
    const status = await waitForFinal(uuid, env);
    console.log((await worker(["logs", uuid], env)).text.trimEnd());

    section("record sets now in the local Route 53");
    const api = route53Api(
      new Route53Client({
        endpoint: route53.url,
        region: "us-east-1",
        credentials: { accessKeyId: "demo", secretAccessKey: "demo" },
      }),
    );
    try {
      for (const zone of ["shop.test.", "legacy-shop.test."]) {
        const hosted = await findHostedZone(api, zone);
        if (!hosted) {
          console.log(`${zone} has no hosted zone`);
          continue;
        }
        const { sets, unmanaged } = await listRecordSets(api, hosted.id, zone);
        console.log(`${zone} (hosted zone ${hosted.id})`);
        for (const set of sets) {
          console.log(`  ${set.name} ${set.ttl} ${set.type} ${set.values.join(" | ")}`);
        }
        for (const u of unmanaged) console.log(`  ${u.name} ${u.type} (Route 53's: ${u.reason})`);
        section(`name servers to set at the registrar for ${zone}`);
        for (const ns of await getNameservers(api, hosted.id)) console.log(`  ${ns}`);
      }
    } finally {
      api.close();
    }

    section("next");
    if (values.keep) {
      console.log("Everything keeps running. To push again:");
      console.log(`  cd ${clone} && $EDITOR zones/shop.test && git commit -am change && \\`);
      console.log(`    env ${
        Object.entries(env).filter(([k]) => /^(REDIS|DNSAPI|DNS_API)/.test(k))
          .map(([k, v]) => `${k}=${v}`).join(" ")
      } git push ${remote} main`);
      console.log(`Worker commands need the same environment (see ${join(world, "env")}).`);
      await Deno.writeTextFile(
        join(world, "env"),
        Object.entries(env).map(([k, v]) => `export ${k}='${v}'`).join("\n") + "\n",
      );
      console.log("Press Ctrl-C to stop the worker, the services, and remove the world.");
      await new Promise<void>((resolve) => {
        Deno.addSignalListener("SIGINT", () => resolve());
        Deno.addSignalListener("SIGTERM", () => resolve());
      });
    } else {
      console.log("Run `deno task demo --keep` to keep it running and push again yourself.");
    }
    return status === "succeeded" ? 0 : 1;
  } finally {
    if (workerProcess) {
      workerProcess.kill("SIGTERM");
      const { code } = await workerProcess.status;
      console.log(`worker stopped (exit ${code})`);
    }
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await Deno.remove(world, { recursive: true }).catch(() => {});
    console.log("demo world removed");
  }
}

if (import.meta.main) Deno.exit(await main());
