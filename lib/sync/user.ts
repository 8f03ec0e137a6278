/**
 * One user's sync, end to end: user check, working copy, the zone files due, each zone
 * file (lib/sync/zone_file.ts: parse, ownership, hosted zone, plan, safety gate, apply,
 * domain row) and the zones whose file was deleted. The queue, the job rows and the
 * customer-facing result are the caller's (lib/worker/worker.ts); this module returns
 * what happened as plain data (a log and per-zone outcomes).
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
import type { Domain, LogLineInput } from "../db/mysql.ts";
import { userProblem } from "../db/mysql.ts";
import {
  type ChangedFiles,
  changedFilesOf,
  checkoutCommit,
  fetchDeployed,
  listTreeOf,
  NoCommitsError,
  type ObjectBatch,
  openObjectBatch,
  prepareWorkingCopy,
  resolvePathsOf,
  resolveTarget,
  type TreeEntry,
} from "../git/working_copy.ts";
import { showName } from "../dns/idn.ts";
import { formatPlanSummary } from "../plan/plan.ts";
import { LeaseLostError, UnrecoverableError } from "../errors.ts";
import { pruneZone } from "../route53/zone_sync.ts";
import {
  isSampleZone,
  nestedNotice,
  sampleNotice,
  skippedNotice,
  zoneFileNameWarning,
  zoneFilesOf,
  zoneOfPath,
  zonePathKind,
} from "../zones/files.ts";
import {
  FAILED,
  type Say,
  type UserSyncDeps,
  type UserSyncRequest,
  type UserSyncResult,
  type UserSyncSettings,
  type ZoneOutcome,
} from "./types.ts";
import { syncZoneFile } from "./zone_file.ts";
import { zoneQuota } from "./quota.ts";
import { remoteDisplay, withRemoteAccess } from "../remote/access.ts";

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
  const copy = { ...settings.git, maxRepoBytes: settings.maxRepoBytes };
  // A registered remote (`user remote set`) replaces the repository on this service.
  const remote = await db.getRemote?.(request.user) ?? null;
  const from = remote ? ` from ${remoteDisplay(remote)}` : "";
  await prepareWorkingCopy(workDir, settings.git);
  // Every question for git goes to one cat-file process, started while git fetches (it
  // finds the fetched objects and refs when asked). The zone files are read from
  // objects, so the working tree's checkout runs meanwhile and is awaited at the end.
  const objects = openObjectBatch(workDir, settings.git);
  let checkout: Promise<void> | null = null;
  try {
    let head: string;
    try {
      const fetched = remote
        ? await withRemoteAccess(remote, {
          insecureHosts: settings.remoteInsecureHosts ?? [],
          knownHostsFile: `${settings.workRoot}/.known_hosts`,
        }, (env) =>
          fetchDeployed(remote.url, workDir, {
            ...copy,
            env: { ...copy.env, ...env },
            ref: `refs/heads/${remote.branch}`,
          }))
        : await fetchDeployed(source, workDir, copy);
      head = (await resolveTarget(objects, fetched)).commit;
    } catch (error) {
      // A bare repository nobody pushed to yet has no branch to check out.
      if (!(error instanceof NoCommitsError)) throw error;
      say("info", `the repository${from} has no commits yet; nothing to sync`);
      return { user: request.user, commit: null, zones: [], log, ok: true };
    }
    checkout = checkoutCommit(workDir, head, settings.git);
    checkout.catch(() => {}); // awaited below; an early throw must not leave it unhandled
    say("info", `synced working copy to ${head.slice(0, 12)}${from}`);
    const result = await syncCommit(deps, request, objects, head, say, log);
    await checkout;
    return result;
  } finally {
    await checkout?.catch(() => {});
    await objects.close();
  }
}

/** The zone files of `head` that are due, synced one by one, and the deleted ones. */
async function syncCommit(
  deps: UserSyncDeps,
  request: UserSyncRequest,
  objects: ObjectBatch,
  head: string,
  say: Say,
  log: LogLineInput[],
): Promise<UserSyncResult> {
  const { db, settings } = deps;
  const now = deps.now ?? (() => new Date());
  const tree = await listTreeOf(objects, head, settings.zonesDir);
  const notDir = await zonesDirProblem(objects, head, tree, settings);
  if (notDir) {
    // Nothing synced and no domain row touched: the zones are not gone, only unreadable.
    say("error", notDir);
    return { user: request.user, commit: head, zones: [], log, ok: false };
  }
  const { files, ignored, skipped } = zoneFilesOf(tree, settings.zonesDir);
  const nested = nestedNotice(ignored, settings.zonesDir);
  if (nested) say("warn", nested);
  const notice = skippedNotice(skipped);
  if (notice) say("info", notice);
  const owned = await db.listDomains(request.user);
  const domains = new Map(owned.map((d) => [d.name, d]));
  // Each base commit's changes are worked out once, for the due files and the deleted ones.
  const changes = changesFrom(objects, head, tree, settings.zonesDir);
  const due = await dueZoneFiles(changes, head, files, domains, settings, request, now());

  const quota = zoneQuota(owned.length, settings.quotas);
  const zones: ZoneOutcome[] = [];
  const filesOfZone = new Map<string, string[]>();
  for (const entry of files) {
    const zone = zoneOfPath(entry.path);
    filesOfZone.set(zone, [...filesOfZone.get(zone) ?? [], entry.path]);
  }
  for (const entry of files) {
    const zone = zoneOfPath(entry.path);
    if (isSampleZone(zone)) {
      say("info", sampleNotice(entry.path), zone);
      continue;
    }
    const same = filesOfZone.get(zone) ?? [];
    if (same.length > 1) {
      // `Shop.test` and `shop.test` would fight over one zone: sync neither, say it once.
      if (entry.path !== same[0]) continue;
      const summary = `${showName(zone)}: not synced: ${
        same.join(" and ")
      } both name this zone; keep one`;
      say("error", summary, zone);
      zones.push({ zone, file: entry.path, status: "invalid", summary });
      continue;
    }
    const reason = due.get(entry.path);
    if (reason === undefined) continue;
    const nameWarning = zoneFileNameWarning(entry.path);
    if (nameWarning) say("warn", `${entry.path}: ${nameWarning}`, zone);
    if (deps.stillOwned && !deps.stillOwned()) throw new LeaseLostError(`before ${zone}`);
    const outcome = await syncZoneFile(deps, request, {
      zone,
      path: entry.path,
      objects,
      head,
      domain: domains.get(zone) ?? null,
      full: reason === "full",
      quota,
    }, say);
    zones.push(outcome);
  }
  const deleted = request.reconcile?.only
    ? []
    : await deletedZones(deps, request, changes, head, files, owned, say);
  zones.push(...deleted);
  if (zones.length === 0) say("info", "no zone file changed; nothing to do");
  return {
    user: request.user,
    commit: head,
    zones,
    log,
    ok: zones.every((z) => !FAILED.has(z.status)),
  };
}

/**
 * Why the zones directory cannot be read, or null when it is a directory (or absent):
 * `zones` may be a symlink (out of the repository, or to a directory in it, which git
 * lists as a link, not as the files behind it) or a plain file.
 */
async function zonesDirProblem(
  objects: ObjectBatch,
  head: string,
  tree: readonly TreeEntry[],
  settings: UserSyncSettings,
): Promise<string | null> {
  const dir = settings.zonesDir;
  const entry = tree.find((e) => e.path === dir);
  if (entry === undefined) return null;
  const lead = `${dir}: not synced: ${dir} is`;
  const where = `zone files live directly in a ${dir}/ directory of the repository`;
  if (entry.mode !== "120000") return `${lead} not a directory; ${where}`;
  const [target] = await resolvePathsOf(objects, head, [dir]);
  if (target?.kind === "outside") {
    return `${lead} a symlink that leads outside the repository; ${where}`;
  }
  return `${lead} a symlink; ${where} (move the files there rather than link to them)`;
}

/** The changes from a base commit to `head`, each base's worked out once (memoised). */
function changesFrom(
  objects: ObjectBatch,
  head: string,
  tree: readonly TreeEntry[],
  dir: string,
): (base: string) => Promise<ChangedFiles> {
  const known = new Map<string, Promise<ChangedFiles>>();
  return (base) => {
    let found = known.get(base);
    if (found === undefined) {
      found = changedFilesOf(objects, base, head, dir, tree);
      known.set(base, found);
    }
    return found;
  };
}

/**
 * Which zone files need a sync and how: `incremental` when the file changed since its
 * domain's last synced commit (or was never synced), `full` when a full reconcile is
 * asked for or due. Files grouped by base commit need one `git diff` per base.
 */
async function dueZoneFiles(
  changes: (base: string) => Promise<ChangedFiles>,
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
    const reconcile = request.reconcile;
    if (reconcile && !reconcile.zones.includes(zone)) {
      if (reconcile.only) continue;
    } else if (reconcile) {
      due.set(entry.path, "full");
      continue;
    }
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
    const { changed } = await changes(base);
    const set = new Set(changed);
    for (const path of paths) if (set.has(path)) due.set(path, "incremental");
  }
  return due;
}

/**
 * Zones of this user whose file is gone. Their records stay in Route 53 (a deleted
 * file is more often a mistake than a wish to take a domain off the air) unless the
 * operator enabled pruning.
 */
async function deletedZones(
  deps: UserSyncDeps,
  request: UserSyncRequest,
  changes: (base: string) => Promise<ChangedFiles>,
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
    // Reported once: the row's commit moves on below, so later pushes stay quiet.
    const { deleted } = await changes(domain.lastSyncedCommit);
    // The file's name may differ from the domain's (`Café.test` for `xn--caf-dma.test`).
    const path = deleted.find((p) =>
      zonePathKind(p, deps.settings.zonesDir) === "zone" && zoneOfPath(p) === domain.name
    );
    if (path === undefined) continue;
    if (!deps.settings.pruneDeletedZones || !domain.hostedZoneId) {
      say(
        "warn",
        `${
          showName(domain.name)
        }: ${path} was deleted; its records stay in Route 53 (restore the file ` +
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
        summary: `${showName(domain.name)}: file deleted, records kept`,
      });
      continue;
    }
    const plan = await pruneZone(deps.api, {
      zone: `${domain.name}.`,
      zoneId: domain.hostedZoneId,
      jobId: request.jobId,
      dryRun: request.dryRun,
      stillOwned: deps.stillOwned,
    });
    if (!request.dryRun) {
      await deps.db.updateDomainAfterSync(domain.name, { lastSyncedCommit: head, fullSync: true });
    }
    const summary = `${formatPlanSummary(plan)} (file deleted, records pruned)`;
    say("warn", summary, domain.name);
    outcomes.push({ zone: domain.name, file: path, status: "deleted", summary, plan });
  }
  return outcomes;
}
