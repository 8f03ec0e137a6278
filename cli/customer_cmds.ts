/**
 * `customer U -- COMMAND...`: the customer commands of the SSH door, run by
 * `dns-api-hook ssh U` (lib/hook/ssh.ts) for `ssh git@host logs` and the like. Each sees
 * only U's own data: `logs [UUID] [--json]` (U's jobs only; default U's latest job),
 * `nameservers [ZONE]` (U's domains), `check ZONE` (the zone file on stdin, answered as
 * `check` answers; no data at all). The door already refused anything else; this
 * command checks again, since an operator may run it by hand.
 *
 * @module
 */
import { escapeControl, messageOf } from "../lib/errors.ts";
import { USER_PATTERN } from "../lib/git.ts";
import { checkZones } from "./check.ts";
import type { Invocation } from "./commands.ts";
import type { Context } from "./context.ts";
import { jobView, printJobView, UUID } from "./report_cmds.ts";

/** A zone name as `check ZONE` takes it: one file name, no path. */
const ZONE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

function fail(ctx: Context, line: string, code = 1): number {
  ctx.out.stderr(`${escapeControl(line)}\n`);
  return code;
}

/** Reads stdin up to one byte past the zone-file limit (check reports the size). */
async function readStdin(limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const buf = new Uint8Array(64 * 1024);
  for (let n = await Deno.stdin.read(buf); n !== null; n = await Deno.stdin.read(buf)) {
    chunks.push(buf.slice(0, n));
    size += n;
    if (size > limit) break;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function customerCheck(ctx: Context, zone: string): Promise<number> {
  if (!ZONE_NAME.test(zone)) {
    return fail(
      ctx,
      `check: "${zone}" is not a zone name (e.g. check shop.test < zones/shop.test)`,
      2,
    );
  }
  const dir = await Deno.makeTempDir({ prefix: "dns-api-check-" });
  try {
    await Deno.writeFile(`${dir}/${zone}`, await readStdin(ctx.config.zoneLimits.maxBytes));
    // Run in the directory, so the report names the file as the customer does: ZONE.
    Deno.chdir(dir);
    const check: Invocation<"check"> = { name: "check", values: { json: false }, args: [[zone]] };
    return await checkZones(check, ctx.out, ctx.config.zoneLimits);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function latestJob(ctx: Context, user: string): Promise<string | undefined> {
  const db = await ctx.db();
  const [rows] = await db.pool.query(
    "SELECT uuid FROM jobs WHERE user = ? ORDER BY queued_at DESC, started_at DESC LIMIT 1",
    [user],
  );
  const row = Array.isArray(rows) ? rows[0] : undefined;
  return row && typeof row === "object" && "uuid" in row ? String(row.uuid) : undefined;
}

async function customerLogs(ctx: Context, user: string, args: string[]): Promise<number> {
  const json = args.includes("--json");
  const rest = args.filter((a) => a !== "--json");
  if (rest.length > 1) return fail(ctx, "usage: logs [UUID] [--json]", 2);
  const given = rest[0];
  if (given !== undefined && !UUID.test(given)) {
    return fail(ctx, `logs: "${given}" is not a job's UUID`, 2);
  }
  const uuid = given?.toLowerCase() ?? await latestJob(ctx, user);
  if (uuid === undefined) return fail(ctx, "no jobs yet: push to your repository first");
  const view = await jobView(ctx, uuid);
  // Another customer's job is answered exactly like an unknown one.
  if (!view || view.user !== user) {
    return fail(ctx, `no job ${uuid} (unknown, or its record has expired)`);
  }
  printJobView(ctx, view, json);
  return 0;
}

async function customerNameservers(ctx: Context, user: string, args: string[]): Promise<number> {
  if (args.length > 1) return fail(ctx, "usage: nameservers [ZONE]", 2);
  const wanted = args[0]?.toLowerCase().replace(/\.$/, "");
  const domains = (await (await ctx.db()).listDomains(user))
    .filter((d) => wanted === undefined || d.name === wanted);
  if (domains.length === 0) {
    return fail(
      ctx,
      wanted === undefined
        ? "you have no zones yet: push a zone file to create one"
        : `${wanted} is not one of your zones`,
    );
  }
  for (const d of domains) {
    ctx.out.stdout(
      escapeControl(
        d.nameservers.length > 0
          ? `${d.name}: set these at your registrar: ${d.nameservers.join(" ")}`
          : `${d.name}: no name servers yet (its hosted zone is created by the next sync)`,
      ) + "\n",
    );
  }
  return 0;
}

/** `customer U -- COMMAND...`. */
export async function cmdCustomer(
  ctx: Context,
  { args: [user, words] }: Invocation<"customer">,
): Promise<number> {
  if (!USER_PATTERN.test(user)) return fail(ctx, `"${user}" is not a valid user name`, 2);
  const [command, ...rest] = words;
  try {
    switch (command) {
      case "check":
        if (rest.length !== 1) return fail(ctx, "usage: check ZONE < zone-file", 2);
        return await customerCheck(ctx, rest[0] ?? "");
      case "logs":
        return await customerLogs(ctx, user, rest);
      case "nameservers":
        return await customerNameservers(ctx, user, rest);
      default:
        return fail(ctx, `unknown command "${command}": try help`, 2);
    }
  } catch (error) {
    return fail(ctx, `${command} failed: ${messageOf(error)}; please try again later`);
  }
}
