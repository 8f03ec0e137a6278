/**
 * Per-customer limits on hosted zones: how many domains one account may hold, and how
 * many new hosted zones one sync (one push, or the pushes one sync covers) may create.
 * Route 53 allows 500 hosted zones per account by default, so one customer must not be
 * able to take them all in one push.
 *
 * Zones are taken in the order the sync meets them (file names in git's byte order), and
 * only a zone actually created (or, in a dry run, that would be) uses up a place: a file
 * refused for another reason leaves its place to the next one. Pure.
 *
 * @example
 * ```ts
 * const quota = zoneQuota(owned.length, settings);
 * const problem = quotaProblem(quota, true);
 * if (problem === null) spendQuota(quota, true);
 * ```
 *
 * @module
 */

/** The limits' defaults (`DNSAPI_MAX_ZONES_PER_USER`, `DNSAPI_MAX_NEW_ZONES_PER_PUSH`). */
export const DEFAULT_ZONE_QUOTAS = { maxZonesPerUser: 50, maxNewZonesPerPush: 10 } as const;

/** The limits as settings give them. */
export interface ZoneQuotaSettings {
  /** Domains one account may hold (its `domains` rows). */
  maxZonesPerUser?: number;
  /** New hosted zones one sync may create. */
  maxNewZonesPerPush?: number;
}

/** One sync's counts against the limits; {@linkcode spendQuota} moves them. */
export interface ZoneQuota {
  maxZonesPerUser: number;
  maxNewZonesPerPush: number;
  /** Domains the account holds, including those claimed by this sync. */
  held: number;
  /** Hosted zones this sync created (or a dry run would create). */
  created: number;
}

/** The counts at the start of a sync of an account holding `held` domains. */
export function zoneQuota(held: number, settings: ZoneQuotaSettings = {}): ZoneQuota {
  return {
    maxZonesPerUser: settings.maxZonesPerUser ?? DEFAULT_ZONE_QUOTAS.maxZonesPerUser,
    maxNewZonesPerPush: settings.maxNewZonesPerPush ?? DEFAULT_ZONE_QUOTAS.maxNewZonesPerPush,
    held,
    created: 0,
  };
}

/**
 * Why one more hosted zone is refused, in words for the customer, or null when it may be
 * created. `newDomain` is true when the account does not hold the domain yet.
 */
export function quotaProblem(quota: ZoneQuota, newDomain: boolean): string | null {
  if (newDomain && quota.held >= quota.maxZonesPerUser) {
    return `your account holds ${quota.held} domains, its limit is ${quota.maxZonesPerUser}; ` +
      `contact support to raise the limit`;
  }
  const max = quota.maxNewZonesPerPush;
  if (quota.created >= max && max === 0) {
    return "new domains are not being set up at the moment; contact support";
  }
  if (quota.created >= max) {
    return `at most ${max} new domains are set up per push; the first ${max} in file-name ` +
      `order were, push again (an empty commit will do) to set up the next ones`;
  }
  return null;
}

/** Counts one hosted zone created (and, with `newDomain`, one domain more held). */
export function spendQuota(quota: ZoneQuota, newDomain: boolean): void {
  quota.created++;
  if (newDomain) quota.held++;
}
