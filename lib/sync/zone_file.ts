/**
 * One zone file of a sync, in octoDNS's order: read and parse, ownership, hosted zone,
 * plan, safety gate, then either the dry run's report or applying that very plan value,
 * and the domain row. A dry run (`plan`) takes the same ownership decision and the same
 * gate as a sync and says "would be refused" where the sync says "refused". Every Route
 * 53 call goes through lib/route53/zone_sync.ts.
 *
 * @module
 */
import type { Domain } from "../db/mysql.ts";
import { showName } from "../dns/idn.ts";
import { decideOwnership } from "../dns/ownership.ts";
import type { RecordSet } from "../dns/record_set.ts";
import { type ObjectBatch, readFileOf } from "../git/working_copy.ts";
import { formatChange, formatPlanSummary, type Plan } from "../plan/plan.ts";
import { UnsafePlanError } from "../plan/safety.ts";
import { classifyError } from "../route53/retry.ts";
import {
  applyZonePlan,
  createHostedZoneFor,
  gatePlan,
  hostedZoneFor,
  type KnownHostedZone,
  planZone,
  type SyncOptions,
  zoneMark,
} from "../route53/zone_sync.ts";
import { messageOf } from "../util/message.ts";
import { withoutServerDetails } from "../util/customer_text.ts";
import { zoneNameSyntaxProblem } from "../zones/files.ts";
import {
  apexNsIgnored,
  apexNsMismatch,
  DEFAULT_ZONE_LIMITS,
  parseZoneYielding,
  type ZoneLimits,
  type ZoneProblem,
} from "../zones/parse.ts";
import {
  FAILED,
  type Say,
  type SyncDb,
  type UserSyncDeps,
  type UserSyncRequest,
  type ZoneOutcome,
  type ZoneStatus,
} from "./types.ts";
import { quotaProblem, spendQuota, type ZoneQuota } from "./quota.ts";

/** One zone file to sync, as lib/sync/user.ts found it. */
export interface ZoneFileJob {
  /** The zone the file names (bare, lower case: `shop.test`). */
  zone: string;
  /** The file's path in the repository. */
  path: string;
  /** The working copy's objects, where the file is read (the checkout is not waited for). */
  objects: ObjectBatch;
  /** The commit being synced. */
  head: string;
  /** The domain's row, or null when the zone was never claimed. */
  domain: Domain | null;
  /** Reconcile against a full listing of Route 53. */
  full: boolean;
  /** The sync's counts against the per-customer zone limits, shared by its files. */
  quota: ZoneQuota;
}

/** One zone file: read, parse, own, find or create the hosted zone, plan, gate, apply. */
export async function syncZoneFile(
  deps: UserSyncDeps,
  request: UserSyncRequest,
  job: ZoneFileJob,
  say: Say,
): Promise<ZoneOutcome> {
  const { db, api, settings } = deps;
  const { zone, path } = job;
  const shown = showName(zone);
  const done = (status: ZoneStatus, summary: string, extra: Partial<ZoneOutcome> = {}) => {
    say(FAILED.has(status) ? "error" : "info", summary, zone);
    return { zone, file: path, status, summary, ...extra };
  };
  /** The plan's lines in the job log: each change, sets left unmanaged, sets not written. */
  const sayPlan = (plan: Plan) => {
    for (const change of plan.changes) say("info", formatChange(change), zone);
    for (const u of plan.unmanaged) {
      if (u.reason === "apex-ns" || u.reason === "apex-soa") continue;
      say(
        "info",
        `${u.name} ${u.type}: left as it is (${u.reason}); zone files cannot express it`,
        zone,
      );
    }
    for (const s of plan.skipped) {
      say("warn", `${s.set.name} ${s.set.type}: not written: ${s.reason}`, zone);
    }
  };
  const nameProblem = zoneNameSyntaxProblem(zone);
  if (nameProblem) return done("invalid", `${path}: ${nameProblem}`);
  const limits = { ...DEFAULT_ZONE_LIMITS, ...settings.zoneLimits };
  const read = await readFileOf(job.objects, job.head, path, limits.maxBytes);
  if (!read.ok) return done("invalid", `${shown}: not synced: ${read.reason}`);
  const budget = deps.parseBudget;
  const spent = budget
    ? `this sync's zone files took longer than ${budget.totalMs / 1000} s to read in total`
    : "";
  if (budget && budget.leftMs <= 0) {
    return done(
      "invalid",
      `${shown}: not synced: ${spent}, before ${path}; fix the files refused above and push again`,
    );
  }
  // The sync's time left, when less than the file's own budget, bounds this file.
  const shared = budget !== undefined && budget.leftMs < limits.maxParseMs;
  const started = performance.now();
  // The apex NS set is judged once the zone's Route 53 name servers are known.
  const parsed = await parseZoneYielding(read.text, {
    zone,
    limits: shared ? { ...limits, maxParseMs: budget.leftMs } : limits,
    warnApexNs: false,
  });
  if (budget) budget.leftMs -= performance.now() - started;
  if (shared && parsed.timedOutAt !== undefined && parsed.errors[0]?.line === 0) {
    parsed.errors[0] = {
      line: 0,
      message: `${spent}; stopped at line ${parsed.timedOutAt}: fix the errors listed (or ` +
        `split the file) and push again`,
    };
  }
  const warn = (w: ZoneProblem | null) => {
    if (w !== null) say("warn", problemText(path, w), zone);
  };
  // The file's apex NS set is judged once: against the zone's Route 53 name servers when
  // they are known, else as ignored (the zone stops before they are).
  let apexJudged = false;
  const apexNs = (nameservers: readonly string[] | null) => {
    if (parsed.apexNs === null || apexJudged) return;
    apexJudged = true;
    warn(
      nameservers?.length
        ? apexNsMismatch(parsed.apexNs, nameservers)
        : apexNsIgnored(parsed.apexNs),
    );
  };
  // The same reason in both runs; only the verb says whether anything was at stake.
  const refuse = (reason: string, extra: Partial<ZoneOutcome> = {}) => {
    apexNs(null);
    return done(
      "refused",
      `${shown}: ${request.dryRun ? "would be refused" : "refused"}: ${reason}`,
      extra,
    );
  };
  for (const w of parsed.warnings) warn(w);
  if (parsed.errors.length > 0) {
    apexNs(null);
    for (const e of parsed.errors) say("error", problemText(path, e), zone);
    return done(
      "invalid",
      `${shown}: not synced: ${parsed.errors.length} error(s) in ${path}; Route 53 was left as it was`,
    );
  }

  const decision = decideOwnership(request.user, zone, await db.domainsRelatedTo(zone), {
    deny: settings.denyDomains,
  });
  if (!decision.allowed) return refuse(decision.reason);
  const newDomain = decision.claim;
  // A new domain over a limit is refused before Route 53 is asked anything.
  const overLimit = newDomain ? quotaProblem(job.quota, true) : null;
  if (overLimit) return refuse(overLimit);

  // A failing claim is MySQL's trouble, not Route 53's: the whole sync is retried.
  let claiming = false;
  try {
    const fqdn = `${zone}.`;
    const lookup = await hostedZoneFor(api, {
      zone: fqdn,
      domain: job.domain &&
        { ...job.domain, mark: zoneMark(job.domain.owner, job.domain.createdAt) },
    });
    if (lookup.kind === "foreign") {
      return refuse(
        `${zone} already exists in our DNS account and is not recorded as yours; contact ` +
          `support to have it assigned`,
      );
    }
    let hosted: KnownHostedZone;
    if (lookup.kind === "known") {
      hosted = lookup.zone;
    } else {
      const problem = quotaProblem(job.quota, newDomain);
      if (problem) return refuse(problem);
      if (request.dryRun) {
        apexNs(null);
        spendQuota(job.quota, newDomain);
        const creates = parsed.rrsets.length;
        return done(
          "planned",
          `${shown}: would create the hosted zone and ${creates} record set(s)`,
        );
      }
      claiming = newDomain;
      const row = newDomain ? await claim(db, request.user, zone) : job.domain;
      claiming = false;
      if (row === null) throw new Error(`Cannot sync ${zone}: its row vanished`);
      if ("reason" in row) return refuse(row.reason);
      hosted = await createHostedZoneFor(api, {
        zone: fqdn,
        mark: zoneMark(row.owner, row.createdAt),
        delegationSetId: settings.delegationSetId,
        comment: `dns-api: ${request.user}`,
      });
      spendQuota(job.quota, newDomain);
      // Stored at once, so a later failure in this sync does not lose the zone id.
      await db.updateDomainAfterSync(zone, {
        hostedZoneId: hosted.id,
        nameservers: hosted.nameservers,
      });
    }
    apexNs(hosted.nameservers);
    // A zone created just now holds only its apex SOA and NS, so the plan is "create
    // everything" without listing it (one call less per new domain). Should that be
    // wrong, Route 53 refuses the batch and the engine reconciles fully.
    const previous = hosted.created ? [] : job.full ? null : await previousSets(job, limits);
    const target: SyncOptions = {
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
      stillOwned: deps.stillOwned,
    };
    const planned = await planZone(api, target);
    // A dry run logs its plan as a sync logs what it applied, and only here: `plan` prints the log.
    if (request.dryRun) sayPlan(planned.plan);
    try {
      gatePlan(planned.plan, target);
    } catch (error) {
      if (!(error instanceof UnsafePlanError)) throw error;
      return refuse(error.message, request.dryRun ? { plan: planned.plan } : {});
    }
    if (request.dryRun) {
      return done("planned", `${formatPlanSummary(planned.plan)} (${planned.mode}, dry run)`, {
        plan: planned.plan,
      });
    }
    const result = await applyZonePlan(api, target, planned);
    if (result.fellBack) {
      say("warn", `${shown}: Route 53 had drifted from the last synced file; reconciled fully`);
    }
    sayPlan(result.plan);
    await db.updateDomainAfterSync(zone, {
      hostedZoneId: hosted.id,
      nameservers: hosted.nameservers,
      lastSyncedCommit: job.head,
      // A zone created by this sync is fully known: nothing else can be in it.
      fullSync: result.mode === "full" || hosted.created,
    });
    return done(
      "synced",
      reconcileSummary(request, job, result.plan) ?? formatPlanSummary(result.plan),
      {
        plan: result.plan,
        nameservers: hosted.nameservers,
        created: hosted.created,
      },
    );
  } catch (error) {
    if (claiming) throw error;
    // The reconcile after drift passes the gate too, and may be refused only then.
    if (error instanceof UnsafePlanError) return refuse(error.message);
    if (classifyError(error) === "transient") throw error;
    // Route 53's own words say what to fix, but may name the hosted zone's id.
    const said = withoutServerDetails(messageOf(error), [job.domain?.hostedZoneId ?? ""]);
    return done("failed", `${shown}: Route 53 refused the change: ${said}`);
  }
}

/**
 * The line of a scheduled reconcile of an unchanged file (lib/worker/reconcile.ts): what
 * it restored, said so the customer knows their zone had been edited by hand, or that
 * nothing had changed; null for any other sync (a changed file's differences are the
 * push's, not drift).
 */
export function reconcileSummary(
  request: Pick<UserSyncRequest, "reconcile">,
  job: Pick<ZoneFileJob, "zone" | "head" | "domain">,
  plan: Pick<Plan, "changes">,
): string | null {
  if (!request.reconcile?.zones.includes(job.zone)) return null;
  if (job.domain?.lastSyncedCommit !== job.head) return null;
  const shown = showName(job.zone);
  if (plan.changes.length === 0) {
    return `${shown}: reconciled with Route 53; nothing had changed outside the repository`;
  }
  return `${shown}: changed outside the repository, restored: ${
    plan.changes.map(formatChange).join("; ")
  }`;
}

/** A problem as the job log shows it: `zones/f:12: message`, or `zones/f: message` for line 0. */
function problemText(path: string, p: ZoneProblem): string {
  return p.line > 0 ? `${path}:${p.line}: ${p.message}` : `${path}: ${p.message}`;
}

/**
 * Claims an unowned zone for the user, once Route 53 holds no zone of its name: the claim
 * decides again under its lock (another worker may have claimed the name since), and the
 * row it writes gives the new zone its mark.
 */
async function claim(
  db: SyncDb,
  user: string,
  zone: string,
): Promise<Domain | { reason: string } | null> {
  const decision = await db.claimDomain(user, zone);
  if (!decision.allowed) return { reason: decision.reason };
  return await db.getDomain(zone);
}

/** The record sets of the last file applied, or null when unknown (full reconcile). */
export async function previousSets(
  job: ZoneFileJob,
  limits: ZoneLimits,
): Promise<RecordSet[] | null> {
  const base = job.domain?.lastSyncedCommit;
  if (!base || !job.domain?.hostedZoneId) return null;
  const read = await readFileOf(job.objects, base, job.path, limits.maxBytes).catch(() => null);
  if (read === null || !read.ok) return null;
  const parsed = await parseZoneYielding(read.text, { zone: job.zone, limits });
  return parsed.errors.length === 0 ? parsed.rrsets : null;
}
