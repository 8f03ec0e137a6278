/**
 * One user's sync, end to end: user check, working copy, changed zone files, parse,
 * ownership, hosted zone, plan, safety gate, apply, domain rows. The queue, the job
 * rows and the customer-facing result are the caller's (lib/worker/worker.ts); this module
 * returns what happened as plain data (a log and per-zone outcomes).
 *
 * Failures are sorted by who can fix them:
 * - a zone's own problem (bad file, refused ownership, unsafe plan, a change Route 53
 *   refuses) fails that zone only, logged for the customer; the other zones go on;
 * - an account problem (user missing, banned, expired) is an {@linkcode UnrecoverableError};
 * - anything transient (Route 53 throttling after retries, MySQL, git) is thrown as is,
 *   so the queue retries the whole sync later; zones finished before it are not redone
 *   because their domain rows already carry the new commit.
 *
 * @module
 */
import type { Db, Domain, LogLineInput } from "../db/mysql.ts";
import { userProblem } from "../db/mysql.ts";
import {
  changedFiles,
  type GitOptions,
  listTree,
  readFileAt,
  resolveZoneFile,
  syncWorkingCopy,
  type TreeEntry,
} from "../git/working_copy.ts";
import { decideOwnership } from "../dns/ownership.ts";
import { formatChange, formatPlanSummary, type Plan } from "../plan/plan.ts";
import { UnrecoverableError } from "../errors.ts";
import type { RecordSet } from "../dns/record_set.ts";
import { classifyError } from "../route53/retry.ts";
import {
  createHostedZone,
  findHostedZone,
  getNameservers,
  type Route53Api,
} from "../route53/api.ts";
import { type SafetyThresholds, UnsafePlanError } from "../plan/safety.ts";
import { applyPlan, planZone, syncZone } from "../route53/zone_sync.ts";
import { DEFAULT_ZONE_LIMITS, parseZone, type ZoneLimits } from "../zones/parse.ts";
import { messageOf } from "../util/message.ts";
import { isSampleZone, zoneFilesOf, zoneNameSyntaxProblem, zoneOfPath } from "../zones/files.ts";

/** Settings of a sync that come from the worker's configuration. */
export interface UserSyncSettings {
  reposRoot: string;
  workRoot: string;
  /** Base URL to clone from on worker hosts other than the git host. */
  reposRemote?: string | undefined;
  zonesDir: string;
  zoneLimits?: Partial<ZoneLimits>;
  safety?: SafetyThresholds;
  /** Delete the records of a zone whose file was deleted (default: keep them, warn). */
  pruneDeletedZones?: boolean;
  /** A zone not fully reconciled for this long gets a full list-and-diff (0 = never). */
  fullSyncHours?: number;
  delegationSetId?: string | undefined;
  /** Wait for the last change of each zone to be INSYNC, at most this long (0 = no). */
  waitInsyncSeconds?: number;
  git?: GitOptions;
}

/** What the sync needs from the outside world. */
export interface UserSyncDeps {
  db: Db;
  api: Route53Api;
  settings: UserSyncSettings;
  now?: () => Date;
  /**
   * Asked before each zone is synced; false means this worker may no longer hold the
   * user (its lease could not be renewed), so it stops rather than risk two workers
   * changing one user's zones at once. The queue then retries the sync.
   */
  stillOwned?: () => boolean;
}

/** One sync request. */
export interface UserSyncRequest {
  user: string;
  /** The job the sync is logged under; it names every change batch. */
  jobId: string;
  /** Reconcile every zone against Route 53, changed or not (`sync --full`). */
  full?: boolean;
  /** Apply plans the safety gate refuses (`sync --force`). */
  force?: boolean;
  /** Plan only: no claim, no zone creation, no change, no row update (`plan`). */
  dryRun?: boolean;
}

/** How one zone file ended. */
export type ZoneStatus =
  | "synced"
  | "unchanged"
  | "planned"
  | "invalid"
  | "refused"
  | "failed"
  | "deleted";

/** One zone's outcome. */
export interface ZoneOutcome {
  zone: string;
  file: string;
  status: ZoneStatus;
  /** The customer-facing line: `shop.test: +3 ~1 -2`, or why it was refused. */
  summary: string;
  plan?: Plan;
  nameservers?: string[];
}

/** What a sync did. */
export interface UserSyncResult {
  user: string;
  /** The commit now checked out, or null when the repository has no commit yet. */
  commit: string | null;
  zones: ZoneOutcome[];
  /** Every line for the job's log, in order. */
  log: LogLineInput[];
  /** True when no zone failed, was refused or was invalid. */
  ok: boolean;
}

const FAILED: ReadonlySet<ZoneStatus> = new Set(["invalid", "refused", "failed"]);

/**
 * Syncs every zone file of `user` that changed since its domain was last synced
 * (or all of them with `full`), and reports per zone.
 *
 * @throws {UnrecoverableError} when the user may not sync (missing, banned, expired).
 * @throws whatever transient error stopped it (the queue retries).
 */
export async function syncUser(
  deps: UserSyncDeps,
  request: UserSyncRequest,
): Promise<UserSyncResult> {
  const { db, settings } = deps;
  const now = deps.now ?? (() => new Date());
  const log: LogLineInput[] = [];
  const say = (level: LogLineInput["level"], message: string, zone: string | null = null) =>
    log.push({ level, message, zone, ts: now() });

  const problem = userProblem(await db.getUser(request.user), request.user, now());
  if (problem) throw new UnrecoverableError(`Cannot sync: ${problem}`);

  const source = settings.reposRemote
    ? `${settings.reposRemote.replace(/\/+$/, "")}/${request.user}`
    : `${settings.reposRoot}/${request.user}`;
  const workDir = `${settings.workRoot}/${request.user}`;
  const head = await workingCopyHead(source, workDir, settings.git);
  if (head === null) {
    say("info", "the repository has no commits yet; nothing to sync");
    return { user: request.user, commit: null, zones: [], log, ok: true };
  }
  say("info", `synced working copy to ${head.slice(0, 12)}`);

  const tree = await listTree(workDir, head, settings.zonesDir, settings.git);
  const { files, ignored } = zoneFilesOf(tree, settings.zonesDir);
  for (const path of ignored) {
    say("warn", `${path}: ignored; zone files live directly in ${settings.zonesDir}/`);
  }
  const owned = await db.listDomains(request.user);
  const domains = new Map(owned.map((d) => [d.name, d]));
  const due = await dueZoneFiles(workDir, head, files, domains, settings, request, now());

  const zones: ZoneOutcome[] = [];
  const filesOfZone = new Map<string, string[]>();
  for (const entry of files) {
    const zone = zoneOfPath(entry.path);
    filesOfZone.set(zone, [...filesOfZone.get(zone) ?? [], entry.path]);
  }
  for (const entry of files) {
    const zone = zoneOfPath(entry.path);
    if (isSampleZone(zone)) {
      say("info", `${entry.path}: sample file, skipped`, zone);
      continue;
    }
    const same = filesOfZone.get(zone) ?? [];
    if (same.length > 1) {
      // `Shop.test` and `shop.test` would fight over one zone: sync neither, say it once.
      if (entry.path !== same[0]) continue;
      const summary = `${zone}: not synced: ${same.join(" and ")} both name this zone; keep one`;
      say("error", summary, zone);
      zones.push({ zone, file: entry.path, status: "invalid", summary });
      continue;
    }
    const reason = due.get(entry.path);
    if (reason === undefined) continue;
    if (deps.stillOwned && !deps.stillOwned()) {
      throw new Error(
        "Cannot go on with the sync: the lease on this user could not be renewed in time",
      );
    }
    const outcome = await syncZoneFile(deps, request, {
      zone,
      path: entry.path,
      workDir,
      head,
      domain: domains.get(zone) ?? null,
      full: reason === "full",
    }, say);
    zones.push(outcome);
  }
  for (const outcome of await deletedZones(deps, request, workDir, head, files, owned, say)) {
    zones.push(outcome);
  }
  if (zones.length === 0) say("info", "no zone file changed; nothing to do");
  return {
    user: request.user,
    commit: head,
    zones,
    log,
    ok: zones.every((z) => !FAILED.has(z.status)),
  };
}

async function workingCopyHead(
  source: string,
  workDir: string,
  git: GitOptions | undefined,
): Promise<string | null> {
  try {
    return (await syncWorkingCopy(source, workDir, undefined, git)).commit;
  } catch (error) {
    // A bare repository nobody pushed to yet has no branch to check out.
    if (
      /does not have any commits|no commits|unknown revision|couldn't find remote ref/i.test(
        messageOf(error) + " " + ((error as { stderr?: string }).stderr ?? ""),
      )
    ) {
      return null;
    }
    throw error;
  }
}

/**
 * Which zone files need a sync and how: `incremental` when the file changed since its
 * domain's last synced commit (or was never synced), `full` when a full reconcile is
 * asked for or due. Files grouped by base commit need one `git diff` per base.
 */
async function dueZoneFiles(
  workDir: string,
  head: string,
  files: readonly TreeEntry[],
  domains: ReadonlyMap<string, Domain>,
  settings: UserSyncSettings,
  request: UserSyncRequest,
  now: Date,
): Promise<Map<string, "incremental" | "full">> {
  const due = new Map<string, "incremental" | "full">();
  const byBase = new Map<string, string[]>();
  const fullAfterMs = (settings.fullSyncHours ?? 24) * 3600_000;
  for (const entry of files) {
    const zone = zoneOfPath(entry.path);
    const domain = domains.get(zone);
    const lastFull = domain?.lastFullSyncAt;
    const stale = fullAfterMs > 0 && domain?.lastSyncedCommit != null &&
      (lastFull == null || now.getTime() - lastFull.getTime() > fullAfterMs);
    if (request.full || stale) {
      due.set(entry.path, "full");
    } else if (!domain?.lastSyncedCommit) {
      due.set(entry.path, "incremental");
    } else {
      const list = byBase.get(domain.lastSyncedCommit) ?? [];
      list.push(entry.path);
      byBase.set(domain.lastSyncedCommit, list);
    }
  }
  for (const [base, paths] of byBase) {
    if (base === head) continue;
    const { changed } = await changedFiles(workDir, base, head, settings.zonesDir, settings.git);
    const set = new Set(changed);
    for (const path of paths) if (set.has(path)) due.set(path, "incremental");
  }
  return due;
}

interface ZoneFileJob {
  zone: string;
  path: string;
  workDir: string;
  head: string;
  domain: Domain | null;
  full: boolean;
}

type Say = (level: LogLineInput["level"], message: string, zone?: string | null) => void;

/** One zone file: read, parse, own, find or create the hosted zone, plan, apply. */
async function syncZoneFile(
  deps: UserSyncDeps,
  request: UserSyncRequest,
  job: ZoneFileJob,
  say: Say,
): Promise<ZoneOutcome> {
  const { db, api, settings } = deps;
  const { zone, path } = job;
  const done = (status: ZoneStatus, summary: string, extra: Partial<ZoneOutcome> = {}) => {
    say(FAILED.has(status) ? "error" : "info", summary, zone);
    return { zone, file: path, status, summary, ...extra };
  };

  const nameProblem = zoneNameSyntaxProblem(zone);
  if (nameProblem) return done("invalid", `${path}: ${nameProblem}`);
  const limits = { ...DEFAULT_ZONE_LIMITS, ...settings.zoneLimits };
  const read = await resolveZoneFile(job.workDir, path, limits.maxBytes);
  if (!read.ok) return done("invalid", `${zone}: not synced: ${read.reason}`);
  const parsed = parseZone(read.text, { zone, limits });
  for (const w of parsed.warnings) say("warn", `${path}:${w.line}: ${w.message}`, zone);
  if (parsed.errors.length > 0) {
    for (const e of parsed.errors) say("error", `${path}:${e.line}: ${e.message}`, zone);
    return done(
      "invalid",
      `${zone}: not synced: ${parsed.errors.length} error(s) in ${path}; Route 53 was left as it was`,
    );
  }

  let decision;
  if (request.dryRun) {
    decision = decideOwnership(request.user, zone, await db.domainsRelatedTo(zone));
  } else {
    decision = await db.claimDomain(request.user, zone);
  }
  if (!decision.allowed) return done("refused", `${zone}: refused: ${decision.reason}`);

  try {
    const hosted = await hostedZoneFor(deps, request, job);
    const fqdn = `${zone}.`;
    if (hosted === null) {
      const creates = parsed.rrsets.length;
      return done("planned", `${zone}: would create the hosted zone and ${creates} record set(s)`);
    }
    // A zone created just now holds only its apex SOA and NS, so the plan is "create
    // everything" without listing it (one call less per new domain). Should that be
    // wrong, Route 53 refuses the batch and the engine reconciles fully.
    const previous = hosted.created
      ? []
      : job.full || read.viaSymlink
      ? null
      : await previousSets(deps, job, limits);
    if (request.dryRun) {
      const { plan, mode } = await planZone(api, {
        zone: fqdn,
        zoneId: hosted.id,
        desired: parsed.rrsets,
        previous,
        full: job.full,
      });
      for (const change of plan.changes) say("info", formatChange(change), zone);
      return done("planned", `${formatPlanSummary(plan)} (${mode}, dry run)`, { plan });
    }
    const result = await syncZone(api, {
      zone: fqdn,
      zoneId: hosted.id,
      desired: parsed.rrsets,
      previous,
      full: job.full,
      jobId: request.jobId,
      force: request.force,
      safety: settings.safety,
      forceHint: `ask support to run \`sync --user ${request.user} --force\` if the change is ` +
        `intended`,
      wait: settings.waitInsyncSeconds
        ? { timeoutMs: settings.waitInsyncSeconds * 1000 }
        : undefined,
    });
    if (result.fellBack) {
      say("warn", `${zone}: Route 53 had drifted from the last synced file; reconciled fully`);
    }
    for (const change of result.plan.changes) say("info", formatChange(change), zone);
    for (const u of result.plan.unmanaged) {
      if (u.reason === "apex-ns" || u.reason === "apex-soa") continue;
      say(
        "info",
        `${u.name} ${u.type}: left as it is (${u.reason}); zone files cannot express it`,
        zone,
      );
    }
    for (const s of result.plan.skipped) {
      say("warn", `${s.set.name} ${s.set.type}: not written: ${s.reason}`, zone);
    }
    await db.updateDomainAfterSync(zone, {
      hostedZoneId: hosted.id,
      nameservers: hosted.nameservers,
      lastSyncedCommit: job.head,
      // A zone created by this sync is fully known: nothing else can be in it.
      fullSync: result.mode === "full" || hosted.created,
    });
    return done("synced", formatPlanSummary(result.plan), {
      plan: result.plan,
      nameservers: hosted.nameservers,
    });
  } catch (error) {
    if (error instanceof UnsafePlanError) {
      return done("refused", `${zone}: refused: ${error.message}`);
    }
    if (classifyError(error) === "transient") throw error;
    return done("failed", `${zone}: Route 53 refused the change: ${messageOf(error)}`);
  }
}

/** The zone's hosted zone id and name servers; created when the domain has none. */
async function hostedZoneFor(
  deps: UserSyncDeps,
  request: UserSyncRequest,
  job: ZoneFileJob,
): Promise<{ id: string; nameservers: string[]; created: boolean } | null> {
  const { api, settings } = deps;
  const known = job.domain?.hostedZoneId;
  if (known) {
    const nameservers = job.domain?.nameservers.length
      ? job.domain.nameservers
      : await getNameservers(api, known);
    return { id: known, nameservers, created: false };
  }
  // A zone created by an earlier attempt whose row update was lost is found by name.
  const found = await findHostedZone(api, `${job.zone}.`);
  if (found) {
    return { id: found.id, nameservers: await getNameservers(api, found.id), created: false };
  }
  if (request.dryRun) return null;
  const created = await createHostedZone(api, `${job.zone}.`, {
    delegationSetId: settings.delegationSetId,
    comment: `dns-api: ${request.user}`,
  });
  // Stored at once, so a later failure in this sync does not lose the zone id.
  await deps.db.updateDomainAfterSync(job.zone, {
    hostedZoneId: created.zone.id,
    nameservers: created.nameservers,
  });
  return { id: created.zone.id, nameservers: created.nameservers, created: true };
}

/** The record sets of the last file applied, or null when unknown (full reconcile). */
async function previousSets(
  deps: UserSyncDeps,
  job: ZoneFileJob,
  limits: ZoneLimits,
): Promise<RecordSet[] | null> {
  const base = job.domain?.lastSyncedCommit;
  if (!base || !job.domain?.hostedZoneId) return null;
  const read = await readFileAt(job.workDir, base, job.path, limits.maxBytes, deps.settings.git)
    .catch(() => null);
  if (read === null || !read.ok) return null;
  const parsed = parseZone(read.text, { zone: job.zone, limits });
  return parsed.errors.length === 0 ? parsed.rrsets : null;
}

/**
 * Zones of this user whose file is gone. Their records stay in Route 53 (a deleted
 * file is more often a mistake than a wish to take a domain off the air) unless the
 * operator enabled pruning.
 */
async function deletedZones(
  deps: UserSyncDeps,
  request: UserSyncRequest,
  workDir: string,
  head: string,
  files: readonly TreeEntry[],
  owned: readonly Domain[],
  say: Say,
): Promise<ZoneOutcome[]> {
  const present = new Set(files.map((f) => zoneOfPath(f.path)));
  const outcomes: ZoneOutcome[] = [];
  for (const domain of owned) {
    if (present.has(domain.name) || !domain.lastSyncedCommit || domain.lastSyncedCommit === head) {
      continue;
    }
    const path = `${deps.settings.zonesDir}/${domain.name}`;
    // Reported once: the row's commit moves on below, so later pushes stay quiet.
    const { deleted } = await changedFiles(
      workDir,
      domain.lastSyncedCommit,
      head,
      deps.settings.zonesDir,
      deps.settings.git,
    );
    if (!deleted.includes(path)) continue;
    if (!deps.settings.pruneDeletedZones || !domain.hostedZoneId) {
      say(
        "warn",
        `${domain.name}: ${path} was deleted; its records stay in Route 53 (restore the file ` +
          `to manage them again, or ask support to remove the domain)`,
        domain.name,
      );
      if (!request.dryRun) {
        await deps.db.updateDomainAfterSync(domain.name, { lastSyncedCommit: head });
      }
      outcomes.push({
        zone: domain.name,
        file: path,
        status: "deleted",
        summary: `${domain.name}: file deleted, records kept`,
      });
      continue;
    }
    const { plan } = await planZone(deps.api, {
      zone: `${domain.name}.`,
      zoneId: domain.hostedZoneId,
      desired: [],
      previous: null,
      full: true,
    });
    if (!request.dryRun) {
      await applyPlan(deps.api, domain.hostedZoneId, plan, { jobId: request.jobId, force: true });
      await deps.db.updateDomainAfterSync(domain.name, { lastSyncedCommit: head, fullSync: true });
    }
    const summary = `${formatPlanSummary(plan)} (file deleted, records pruned)`;
    say("warn", summary, domain.name);
    outcomes.push({ zone: domain.name, file: path, status: "deleted", summary, plan });
  }
  return outcomes;
}
