/**
 * zod schemas for jobs read back from Redis (the worker's edge). The hook builds
 * jobs with plain code (lib/job/contract.ts) so that it never loads zod.
 *
 * @module
 */

import { z } from "zod";
import { type Job, LEGACY_USER_PATTERN, legacyUserName, USER_PATTERN } from "../job/contract.ts";
import { normalizePath, repoProblem } from "../job/paths.ts";
import { messageOf } from "../util/message.ts";
import { sameRemote } from "../remote/url.ts";

/** A job as queued by the hook (docs/design.md, "JSON shapes"). */
export const JobSchema = z.object({
  uuid: z.uuid(),
  user: z.string().regex(USER_PATTERN),
  repo: z.string().min(1),
  queuedAt: z.iso.datetime({ offset: true }),
  ref: z.string().min(1).max(1024).optional(),
  after: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/).optional(),
  reason: z.literal("reconcile").optional(),
  zone: z.string().min(1).max(253).regex(/^[a-z0-9._-]+$/).optional(),
});

// The schema checks exactly the contract's Job: a field added to one and not the other
// is a type error here.
const _sameShape: [z.infer<typeof JobSchema>, Job] extends [Job, z.infer<typeof JobSchema>] ? true
  : never = true;
void _sameShape;

export type { Job };

/** A parsed payload, or the reason it was refused. */
export type ParsedJob = { ok: true; job: Job } | { ok: false; reason: string };

function decode(raw: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (error) {
    return { ok: false, reason: `not JSON: ${messageOf(error)}` };
  }
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(job)"}: ${i.message}`).join("; ");
}

/**
 * Validates a queued job's JSON: its shape, and that `repo` is exactly
 * `reposRoot/<user>`.
 *
 * @example
 * ```ts
 * const parsed = parseJob(raw, "/repos");
 * if (!parsed.ok) console.log(parsed.reason); // e.g. "not JSON: …"
 * ```
 */
export function parseJob(raw: string, reposRoot: string): ParsedJob {
  const decoded = decode(raw);
  if (!decoded.ok) return decoded;
  const parsed = JobSchema.safeParse(decoded.value);
  if (!parsed.success) return { ok: false, reason: `wrong shape: ${describe(parsed.error)}` };
  const problem = repoProblem(parsed.data.repo, parsed.data.user, reposRoot);
  return problem ? { ok: false, reason: problem } : { ok: true, job: parsed.data };
}

const legacyName = z.string().refine(
  (name) => LEGACY_USER_PATTERN.test(name) || USER_PATTERN.test(name),
  "not a user name (at most 12 letters, digits, _ or -)",
);

/** The seed's form, which the Perl hook added to the *set* `HOOK:JOBS` (SADD). */
export const LegacyJobSchema = z.object({
  uuid: z.uuid(),
  user: legacyName,
  repo: z.string().min(1),
});

/**
 * The form the original hook and webhook receiver pushed to the *list* `HOOK:JOBS`
 * (RPUSH): `url` is the bare repository's absolute path (hook) or a clone URL of the
 * customer's repository elsewhere (webhook receiver).
 */
export const OriginalJobSchema = z.object({
  uuid: z.uuid(),
  owner: legacyName,
  url: z.string().min(1),
});

/**
 * Why a job naming a repository elsewhere (the original webhook receiver's clone URL,
 * `https://github.com/…`, `git@github.com:….git`) is not taken for `user`, or
 * `undefined` when `url` is one of the user's `registered` remotes (`user remote set`),
 * the same repository in https or ssh form counting as the same (lib/remote/url.ts,
 * `remoteKey`). The reason leaves the URL out: it may carry credentials.
 *
 * @example
 * ```ts
 * remoteProblem("https://github.com/steve/dns.git", "steve");
 * // "remote repositories are not registered for steve; …"
 * ```
 */
export function remoteProblem(
  url: string,
  user: string,
  registered: readonly string[] = [],
): string | undefined {
  if (registered.some((r) => sameRemote(url, r))) return undefined;
  const only = `only pushes to ${user}'s repository on this service are synced`;
  return registered.length === 0
    ? `remote repositories are not registered for ${user}; ${only}`
    : `the job names a remote repository not registered for ${user}; ${only}`;
}

/**
 * {@linkcode repoProblem} for a legacy path: the original named the directory after the
 * user as written (`/repos/Steve` for `Steve`), and compared names case-insensitively.
 */
function legacyRepoProblem(repo: string, user: string, reposRoot: string): string | undefined {
  const problem = repoProblem(repo, user, reposRoot);
  if (problem === undefined) return undefined;
  const cut = repo.lastIndexOf("/", repo.length - 2) + 1;
  const folded = repo.slice(0, cut) + repo.slice(cut).toLowerCase();
  return repoProblem(folded, user, reposRoot) === undefined ? undefined : problem;
}

/**
 * Validates a payload of the legacy key `HOOK:JOBS` and turns it into a
 * {@linkcode Job} queued at `now`. Three forms are read (docs/design.md, "Legacy
 * payload"): the new job as it is; the seed's `{uuid,user,repo}`; the original
 * `{uuid,owner,url}`, whose `url` must be `reposRoot/<owner>` (a clone URL elsewhere
 * is refused by {@linkcode remoteProblem} unless it is one of the owner's `registered`
 * remotes, looked up by the intake through {@linkcode originalRemote}). Names compare case-insensitively
 * (`Steve` is the user `steve`; whether that user exists is the intake's check), and
 * uuids of any version, the original's version-1 ones included, are lower-cased.
 *
 * @example
 * ```ts
 * const raw = '{"owner":"Steve","url":"/repos/Steve","uuid":"6fa459ea-ee8a-11e0-a0b2-0800200c9a66"}';
 * parseLegacyJob(raw, "/repos", new Date()); // { ok: true, job: { user: "steve", repo: "/repos/steve", … } }
 * ```
 */
export function parseLegacyJob(
  raw: string,
  reposRoot: string,
  now: Date,
  registered: readonly string[] = [],
): ParsedJob {
  const decoded = decode(raw);
  if (!decoded.ok) return decoded;
  const value = decoded.value;
  if (JobSchema.safeParse(value).success) return parseJob(raw, reposRoot);
  const original = typeof value === "object" && value !== null &&
    ("owner" in value || "url" in value);
  const parsed = original ? OriginalJobSchema.safeParse(value) : LegacyJobSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `wrong shape: ${describe(parsed.error)}` };
  const fields = parsed.data;
  const name = "owner" in fields ? fields.owner : fields.user;
  const repo = "url" in fields ? fields.url : fields.repo;
  const user = legacyUserName(name);
  if (user === undefined) {
    return { ok: false, reason: `no user can be named ${JSON.stringify(name)}` };
  }
  const problem = repo.startsWith("/")
    ? legacyRepoProblem(repo, user, reposRoot)
    : original
    ? remoteProblem(repo, user, registered)
    : repoProblem(repo, user, reposRoot);
  if (problem) return { ok: false, reason: problem };
  return {
    ok: true,
    job: {
      uuid: fields.uuid.toLowerCase(),
      user,
      repo: `${normalizePath(reposRoot).replace(/\/$/, "")}/${user}`,
      queuedAt: now.toISOString(),
    },
  };
}

/**
 * The user an original `{uuid,owner,url}` payload names when its `url` is a remote (not
 * a path), so the intake can look up that user's registered remote before
 * {@linkcode parseLegacyJob}; `undefined` for every other payload.
 */
export function originalRemoteOwner(raw: string): string | undefined {
  const decoded = decode(raw);
  if (!decoded.ok) return undefined;
  const parsed = OriginalJobSchema.safeParse(decoded.value);
  if (!parsed.success || parsed.data.url.startsWith("/")) return undefined;
  return legacyUserName(parsed.data.owner);
}
