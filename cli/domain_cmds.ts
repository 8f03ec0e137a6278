/**
 * The operator's hand on domain rows: `domain assign ZONE U [--zone-id ID]` gives a
 * customer a hosted zone that already exists (a sync never adopts one it did not create
 * for that customer), `domain list [--user U] [--json]`, and `domain release ZONE` (the
 * row goes; the hosted zone and its records stay).
 *
 * @module
 */
import type { Domain } from "../lib/db.ts";
import { headCommit, listTree, readFileAt, USER_PATTERN } from "../lib/git.ts";
import {
  findHostedZones,
  formatPlan,
  gatePlan,
  getNameservers,
  listRecordSets,
  planZone,
  type Route53Api,
  UnsafePlanError,
} from "../lib/route53.ts";
import {
  decideOwnership,
  DEFAULT_ZONE_LIMITS,
  normaliseDomain,
  parseZone,
  zoneFilesOf,
  zoneOfPath,
} from "../lib/zones.ts";
import { messageOf } from "../lib/errors.ts";
import type { AnyInvocation, Invocation } from "./commands.ts";
import type { Context } from "./context.ts";
import { formatTable } from "./table.ts";

/** The invocations of the `domain` group. */
export type DomainInvocation = Extract<AnyInvocation, { name: `domain ${string}` }>;

/** `domain assign|list|release`. */
export async function cmdDomain(ctx: Context, invocation: DomainInvocation): Promise<number> {
  switch (invocation.name) {
    case "domain assign":
      return await assign(ctx, invocation);
    case "domain list":
      return await list(ctx, invocation);
    case "domain release":
      return await release(ctx, invocation);
  }
}

/**
 * Shows what the user's next sync will change in the existing hosted zone (a full
 * reconcile of their current file against it), then records the row. The next push of
 * that user syncs the zone.
 */
async function assign(ctx: Context, invocation: Invocation<"domain assign">): Promise<number> {
  const [name, user] = invocation.args;
  const zone = normaliseDomain(name);
  const fail = (message: string) => {
    ctx.out.stderr(`Cannot assign ${zone} to ${user}: ${message}\n`);
    return 1;
  };
  if (!USER_PATTERN.test(user)) {
    ctx.out.stderr(`"${user}" is not a valid user name (${USER_PATTERN.source})\n`);
    return 2;
  }
  const db = await ctx.db();
  if (!await db.getUser(user)) return fail(`there is no user ${user}`);
  const decision = decideOwnership(user, zone, await db.domainsRelatedTo(zone));
  if (!decision.allowed) return fail(decision.reason);
  if ((await db.getDomain(zone))?.hostedZoneId) {
    return fail(`${zone} already has a hosted zone recorded; release it first`);
  }
  const api = ctx.route53();
  const named = (await findHostedZones(api, `${zone}.`)).filter((z) => !z.private);
  const wanted = invocation.values["zone-id"];
  const candidates = wanted === undefined ? named : named.filter((z) => z.id === wanted);
  if (candidates.length === 0) {
    return fail(
      wanted === undefined
        ? `Route 53 holds no public hosted zone named ${zone}; the user's next push creates one`
        : `no public hosted zone ${wanted} is named ${zone}`,
    );
  }
  const [hosted, ...others] = candidates;
  if (hosted === undefined || others.length > 0) {
    return fail(
      `${candidates.length} public hosted zones are named ${zone} ` +
        `(${candidates.map((c) => c.id).join(", ")}); choose one with --zone-id`,
    );
  }
  await showFirstPlan(ctx, api, user, zone, hosted.id);
  const nameservers = await getNameservers(api, hosted.id);
  const row = await db.assignDomain(user, zone, { hostedZoneId: hosted.id, nameservers });
  if ("reason" in row) return fail(row.reason);
  ctx.out.stdout(
    `assigned ${zone} to ${user} (hosted zone ${hosted.id}); ${user}'s next push syncs it\n`,
  );
  return 0;
}

/** Prints the plan of the first reconcile: the user's current file against the zone. */
async function showFirstPlan(
  ctx: Context,
  api: Route53Api,
  user: string,
  zone: string,
  zoneId: string,
): Promise<void> {
  const say = (line: string) => ctx.out.stdout(`${line}\n`);
  const repo = `${ctx.config.reposRoot}/${user}`;
  let text: string;
  let path: string;
  try {
    const head = await headCommit(repo);
    const files = head === null
      ? []
      : zoneFilesOf(await listTree(repo, head, ctx.config.zonesDir), ctx.config.zonesDir).files;
    const file = files.find((f) => zoneOfPath(f.path) === zone);
    if (head === null || file === undefined) {
      say(
        `${user}'s repository has no zone file for ${zone}: the zone's records stay as they ` +
          `are until ${user} pushes one`,
      );
      return;
    }
    path = file.path;
    const read = await readFileAt(repo, head, path, DEFAULT_ZONE_LIMITS.maxBytes);
    if (!read.ok) {
      say(`cannot show the first sync's plan: ${read.reason}`);
      return;
    }
    text = read.text;
  } catch (error) {
    say(`cannot show the first sync's plan: ${repo}: ${messageOf(error)}`);
    return;
  }
  const parsed = parseZone(text, { zone });
  if (parsed.errors.length > 0) {
    say(
      `${path} has ${parsed.errors.length} error(s) (${user}'s next push reports them): ` +
        `nothing changes until they are fixed`,
    );
    return;
  }
  const { plan } = await planZone(api, {
    zone: `${zone}.`,
    zoneId,
    desired: parsed.rrsets,
    previous: null,
    full: true,
  });
  say(`the first sync of ${path} will make these changes:`);
  say(formatPlan(plan));
  try {
    gatePlan(plan, { forceHint: `run \`sync --user ${user} --force\` once it is checked` });
  } catch (error) {
    if (!(error instanceof UnsafePlanError)) throw error;
    say(`the safety gate will refuse it: ${error.message}`);
  }
}

/** The row as `domain list --json` prints it. */
function domainJson(d: Domain) {
  return {
    name: d.name,
    owner: d.owner,
    hostedZoneId: d.hostedZoneId,
    nameservers: d.nameservers,
    lastSyncedCommit: d.lastSyncedCommit,
    lastFullSyncAt: d.lastFullSyncAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

/** `domain list [--user U] [--json]`: one line per row, by name. */
async function list(ctx: Context, invocation: Invocation<"domain list">): Promise<number> {
  const db = await ctx.db();
  const { user, json } = invocation.values;
  const rows = user === undefined ? await db.listAllDomains() : await db.listDomains(user);
  if (json) {
    ctx.out.stdout(JSON.stringify(rows.map(domainJson), null, 2) + "\n");
    return 0;
  }
  if (rows.length === 0) {
    ctx.out.stdout(user === undefined ? "no domains\n" : `${user} holds no domains\n`);
    return 0;
  }
  const table = [
    ["DOMAIN", "OWNER", "HOSTED ZONE", "SYNCED COMMIT"],
    ...rows.map((d) => [
      d.name,
      d.owner,
      d.hostedZoneId ?? "-",
      d.lastSyncedCommit?.slice(0, 12) ?? "-",
    ]),
  ];
  ctx.out.stdout(formatTable(table));
  return 0;
}

/** `domain release ZONE`: deletes the row and says what is left in Route 53. */
async function release(ctx: Context, invocation: Invocation<"domain release">): Promise<number> {
  const zone = normaliseDomain(invocation.args[0]);
  const db = await ctx.db();
  const row = await db.releaseDomain(zone);
  if (row === null) {
    ctx.out.stderr(`Cannot release ${zone}: no domain of that name is recorded\n`);
    return 1;
  }
  const say = (line: string) => ctx.out.stdout(`${line}\n`);
  say(`released ${zone} from ${row.owner}: ${row.owner}'s pushes no longer sync it`);
  const id = row.hostedZoneId;
  if (id === null) {
    say("no hosted zone was recorded for it; nothing is left in Route 53");
    return 0;
  }
  let count: string;
  try {
    const live = await listRecordSets(ctx.route53(), id, `${zone}.`);
    count = `its ${live.sets.length + live.unmanaged.length} record set(s)`;
  } catch (error) {
    count = `its record sets (not counted: ${messageOf(error)})`;
  }
  say(`hosted zone ${id} and ${count} stay in Route 53 and keep answering for ${zone}.`);
  say(
    `To take it off the air, delete the hosted zone in Route 53 (\`export ${zone} --id ${id}\` ` +
      `saves its records first); to give it to an account, ` +
      `\`domain assign ${zone} USER --zone-id ${id}\`.`,
  );
  return 0;
}
