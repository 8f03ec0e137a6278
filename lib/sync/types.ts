/**
 * The sync's vocabulary, shared by lib/sync/user.ts (one user) and lib/sync/zone_file.ts
 * (one zone file): what a sync needs, what it is asked, and how each zone ended. Kept
 * apart so the zone-file step never imports the user step that calls it.
 *
 * @module
 */
import type { Db, LogLineInput } from "../db/mysql.ts";
import type { GitOptions } from "../git/working_copy.ts";
import type { Plan } from "../plan/plan.ts";
import type { SafetyThresholds } from "../plan/safety.ts";
import type { Route53Api } from "../route53/api.ts";
import type { ZoneLimits } from "../zones/parse.ts";
import type { ZoneQuotaSettings } from "./quota.ts";

/** Settings of a sync that come from the worker's configuration. */
export interface UserSyncSettings {
  reposRoot: string;
  workRoot: string;
  /** Base URL to clone from on worker hosts other than the git host. */
  reposRemote?: string | undefined;
  /** Hosts a registered remote may reach over http/git or on a non-public address. */
  remoteInsecureHosts?: readonly string[];
  zonesDir: string;
  zoneLimits?: Partial<ZoneLimits>;
  safety?: SafetyThresholds;
  /** Names the operator reserved (DNSAPI_DENY_DOMAINS): refused, with all under them. */
  denyDomains?: readonly string[];
  /** Delete the records of a zone whose file was deleted (default: keep them, warn). */
  pruneDeletedZones?: boolean;
  /** A zone not fully reconciled for this long gets a full list-and-diff (0 = never). */
  fullSyncHours?: number;
  delegationSetId?: string | undefined;
  /** Wait for the last change of each zone to be INSYNC, at most this long (0 = no). */
  waitInsyncSeconds?: number;
  /** Refuse a user whose deployed branch's history takes more bytes than this. */
  maxRepoBytes?: number;
  git?: GitOptions;
  /** Per-customer hosted zone limits (lib/sync/quota.ts); defaults 50 and 10. */
  quotas?: ZoneQuotaSettings;
}

/**
 * The part of {@linkcode Db} a sync uses: small enough that a test's fake is a literal
 * object, and any full `Db` fits (a fake without `getRemote` has no registered remotes).
 */
export type SyncDb =
  & Pick<
    Db,
    | "getUser"
    | "getDomain"
    | "listDomains"
    | "domainsRelatedTo"
    | "claimDomain"
    | "updateDomainAfterSync"
  >
  & Partial<Pick<Db, "getRemote">>;

/** What the sync needs from the outside world. */
export interface UserSyncDeps {
  db: SyncDb;
  api: Route53Api;
  settings: UserSyncSettings;
  now?: () => Date;
  /**
   * Asked before each zone is synced; false means this worker may no longer hold the
   * user (its lease could not be renewed), so it stops rather than risk two workers
   * changing one user's zones at once. The queue then retries the sync.
   */
  stillOwned?: () => boolean;
  /**
   * Time for reading zone files that this sync has left, shared by its files and spent
   * as they are read (the worker gives each reservation {@linkcode SYNC_PARSE_MS}), so a
   * push of many pathological files costs one bounded sync, not 5 s per file; absent,
   * each file has only its own budget (`zoneLimits.maxParseMs`).
   */
  parseBudget?: ParseBudget;
}

/** A sync's time for reading zone files: the total, and what is left of it. */
export interface ParseBudget {
  totalMs: number;
  leftMs: number;
}

/** The time the worker gives one sync for reading all its zone files: 10 s. */
export const SYNC_PARSE_MS = 10_000;

/** One sync request. */
export interface UserSyncRequest {
  user: string;
  /** The job the sync is logged under; it names every change batch. */
  jobId: string;
  /** Reconcile every zone against Route 53, changed or not (`sync --full`). */
  full?: boolean;
  /** Apply plans the safety gate refuses (`sync --force`). */
  force?: boolean;
  /**
   * Plan only (`plan`): the same ownership rule and safety gate as a sync, but no claim,
   * no zone creation, no change and no row update.
   */
  dryRun?: boolean;
  /**
   * A scheduled reconcile (lib/worker/reconcile.ts): these zones are reconciled fully,
   * and a difference found while the file is unchanged is reported as drift
   * ("changed outside the repository, restored: …"); with `only`, no other zone is
   * synced (no push asked for one).
   */
  reconcile?: { zones: readonly string[]; only: boolean };
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

/** The statuses that fail a sync (and the job): the customer has something to fix. */
export const FAILED: ReadonlySet<ZoneStatus> = new Set(["invalid", "refused", "failed"]);

/** One zone's outcome. */
export interface ZoneOutcome {
  zone: string;
  file: string;
  status: ZoneStatus;
  /** The customer-facing line: `shop.test: +3 ~1 -2`, or why it was refused. */
  summary: string;
  plan?: Plan;
  nameservers?: string[];
  /** True when this sync created the zone's hosted zone (its name servers are news). */
  created?: boolean;
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

/** Adds one line to the sync's log. */
export type Say = (level: LogLineInput["level"], message: string, zone?: string | null) => void;
