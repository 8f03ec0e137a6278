/**
 * zod schemas for jobs read back from Redis (the worker's edge). The hook builds
 * jobs with plain code (lib/job/contract.ts) so that it never loads zod.
 *
 * @module
 */

import { z } from "zod";
import { type Job, USER_PATTERN } from "../job/contract.ts";
import { repoProblem } from "../job/paths.ts";
import { messageOf } from "../util/message.ts";

/** A job as queued by the hook (docs/design.md, "JSON shapes"). */
export const JobSchema = z.object({
  uuid: z.uuid(),
  user: z.string().regex(USER_PATTERN),
  repo: z.string().min(1),
  queuedAt: z.iso.datetime({ offset: true }),
  ref: z.string().min(1).max(1024).optional(),
  after: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/).optional(),
});

// The schema checks exactly the contract's Job: a field added to one and not the other
// is a type error here.
const _sameShape: [z.infer<typeof JobSchema>, Job] extends [Job, z.infer<typeof JobSchema>] ? true
  : never = true;
void _sameShape;

export type { Job };

/** The form the old Perl hook and webhook receiver pushed to `HOOK:JOBS`. */
export const LegacyJobSchema = z.object({
  uuid: z.uuid(),
  user: z.string().regex(USER_PATTERN),
  repo: z.string().min(1),
});

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

/**
 * Validates a legacy `{uuid,user,repo}` payload and turns it into a {@linkcode Job}
 * queued at `now`. A payload already in the new form is accepted as it is.
 */
export function parseLegacyJob(raw: string, reposRoot: string, now: Date): ParsedJob {
  const decoded = decode(raw);
  if (!decoded.ok) return decoded;
  const current = JobSchema.safeParse(decoded.value);
  if (current.success) return parseJob(raw, reposRoot);
  const parsed = LegacyJobSchema.safeParse(decoded.value);
  if (!parsed.success) return { ok: false, reason: `wrong shape: ${describe(parsed.error)}` };
  const problem = repoProblem(parsed.data.repo, parsed.data.user, reposRoot);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, job: { ...parsed.data, queuedAt: now.toISOString() } };
}
