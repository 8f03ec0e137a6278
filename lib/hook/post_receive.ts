/**
 * The hook's `post-receive` mode: queue one job for the repository's user and tell the
 * pusher (`dns-api: queued <uuid>`, which git shows as `remote: dns-api: queued <uuid>`);
 * with a wait (DNSAPI_HOOK_WAIT, or the old DNS_API_HOOK_WAIT; seconds, default 10) it then waits for the job's
 * result and prints the per-zone summary.
 *
 * Start-up time is the budget: only lib/job/ is imported (no zod, no ioredis, no node:
 * modules). Every Redis step has a short timeout so a push never hangs; when Redis is
 * unreachable the pusher is told plainly that the push is stored but DNS was not
 * updated, and the mode returns 1 (the push itself stays).
 *
 * @module
 */

import { isValidUser, type Job, type JobResult, parseJobResult } from "../job/contract.ts";
import { DEFAULT_PREFIX, ENQUEUE_SCRIPT, enqueueArgs, queueKeys } from "../job/keys.ts";
import { normalizePath } from "../job/paths.ts";
import { connectResp, type RespClient, RespError } from "../job/resp.ts";
import { messageOf } from "../util/message.ts";
import { isZeroSha, parseRefUpdates, type RefUpdate } from "./ref_updates.ts";
import { HOOK_WAIT_NAMES } from "./settings.ts";

/** Connect and command timeout: short, so a push never hangs on Redis. */
export const REDIS_TIMEOUT_MS = 2000;

/**
 * The update a job records as `ref`/`after`: the one to the branch HEAD names, else
 * the first that does not delete its ref. The worker syncs to the repository's
 * latest state anyway; these fields tell the log which push it was.
 */
export function chooseUpdate(
  updates: RefUpdate[],
  headRef: string | undefined,
): RefUpdate | undefined {
  const live = updates.filter((u) => !isZeroSha(u.new));
  return live.find((u) => u.ref === headRef) ?? live[0];
}

/** The branch a `HEAD` file points to (`ref: refs/heads/main`), if it is symbolic. */
export function headRefFrom(headFile: string): string | undefined {
  return /^ref: (\S+)\s*$/.exec(headFile)?.[1];
}

/** Builds the job for one push (docs/design.md's JSON). */
export function buildJob(
  fields: { uuid: string; user: string; repo: string; now: Date; update?: RefUpdate },
): Job {
  const job: Job = {
    uuid: fields.uuid,
    user: fields.user,
    repo: fields.repo,
    queuedAt: fields.now.toISOString(),
  };
  if (fields.update) {
    job.ref = fields.update.ref;
    job.after = fields.update.new;
  }
  return job;
}

/** The lines shown to the pusher for a finished job (without the `dns-api: ` prefix). */
export function resultLines(result: JobResult): string[] {
  const lines = [...result.lines];
  if (result.coveredBy && result.coveredBy !== result.uuid) {
    lines.push(`covered by the sync of job ${result.coveredBy}`);
  }
  lines.push(`job ${result.uuid} ${result.status}`);
  return lines;
}

/** What the hook needs from the outside world (real in hook.ts, fakes in tests). */
export interface HookIo {
  /** Reads one of the hook's environment variables. */
  env(name: string): string | undefined;
  /** The hook's working directory (git runs it in the repository). */
  cwd: string;
  /** All of git's stdin. */
  stdin: string;
  /** Reads a text file. */
  readTextFile(path: string): Promise<string>;
  /** Resolves a path's symlinks. */
  realPath(path: string): Promise<string>;
  /** Prints one line to the pusher (git prefixes it with `remote: `). */
  print(line: string): void;
}

/** Prints one line to the pusher with the hook's `dns-api: ` prefix. */
export function say(io: HookIo, line: string): void {
  io.print(`dns-api: ${line}`);
}

/** Whom the pusher should contact (DNSAPI_CONTACT). */
export function contactOf(io: Pick<HookIo, "env">): string {
  return io.env("DNSAPI_CONTACT") || "the support of your DNS provider";
}

/** Resolves the repository and its user, or returns the reason it cannot. */
async function locateRepo(
  io: HookIo,
): Promise<{ user: string; repo: string; gitDir: string } | string> {
  // git runs hooks of a bare repository in the repository with GIT_DIR=".".
  const given = io.env("GIT_DIR") || ".";
  const gitDir = normalizePath(given.startsWith("/") ? given : `${io.cwd}/${given}`);
  const user = gitDir.slice(gitDir.lastIndexOf("/") + 1);
  if (!isValidUser(user)) return `repository name ${JSON.stringify(user)} is not a valid user`;
  const root = normalizePath(io.env("REPOS_ROOT") || "/repos").replace(/\/$/, "");
  const repo = `${root}/${user}`;
  try {
    const [real, expected] = await Promise.all([io.realPath(gitDir), io.realPath(repo)]);
    if (real !== expected) return `repository ${gitDir} is not ${repo} (REPOS_ROOT)`;
  } catch (error) {
    return `repository ${repo} cannot be found (${messageOf(error)})`;
  }
  return { user, repo, gitDir };
}

function waitSeconds(io: HookIo): number {
  const raw = HOOK_WAIT_NAMES.map((name) => io.env(name)).find((v) => v !== undefined);
  const n = raw === undefined || raw === "" ? 10 : Number(raw);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 120) : 0;
}

/**
 * post-receive: queue the push and report. Returns the exit code: 0 when queued, 1
 * when the job could not be queued (git shows the output; the push stays).
 */
export async function postReceive(io: HookIo): Promise<number> {
  const located = await locateRepo(io);
  if (typeof located === "string") {
    say(io, `your push is stored, but DNS was NOT updated: ${located}.`);
    say(io, `Please contact ${contactOf(io)}.`);
    return 1;
  }
  const headRef = await io.readTextFile(`${located.gitDir}/HEAD`).then(
    headRefFrom,
    () => undefined,
  );
  const update = chooseUpdate(parseRefUpdates(io.stdin), headRef);
  const job = buildJob({
    uuid: crypto.randomUUID(),
    user: located.user,
    repo: located.repo,
    now: new Date(),
    ...(update ? { update } : {}),
  });
  const keys = queueKeys(io.env("DNSAPI_KEY_PREFIX") || DEFAULT_PREFIX);
  let redis: RespClient | undefined;
  try {
    redis = await connectResp(io.env("REDIS_URL") || "redis://127.0.0.1:6379", {
      timeoutMs: REDIS_TIMEOUT_MS,
    });
    const [queued] = await redis.send([["EVAL", ENQUEUE_SCRIPT, ...enqueueArgs(keys.prefix, job)]]);
    if (queued instanceof RespError) throw queued;
    if (queued !== 1) throw new Error(`job ${job.uuid} was already queued`);
  } catch (error) {
    redis?.close();
    say(io, `your push is stored, but DNS was NOT updated yet: the job queue is unreachable`);
    say(io, `(${messageOf(error)}).`);
    say(io, `Push again later (an empty commit will do), or contact ${contactOf(io)}.`);
    return 1;
  }
  say(io, `queued ${job.uuid}`);
  try {
    const wait = waitSeconds(io);
    const result = wait > 0 ? await waitForResult(redis, keys.done(job.uuid), wait) : undefined;
    if (result) {
      for (const line of resultLines(result)) say(io, line);
    } else {
      say(io, `${wait > 0 ? "still working; " : ""}read the result later with: logs ${job.uuid}`);
    }
  } finally {
    redis.close();
  }
  return 0;
}

/** Blocks on the job's `done` list for up to `seconds`; any failure means "not yet". */
async function waitForResult(
  redis: RespClient,
  doneKey: string,
  seconds: number,
): Promise<JobResult | undefined> {
  try {
    const [reply] = await redis.send(
      [["BLPOP", doneKey, String(seconds)]],
      seconds * 1000 + REDIS_TIMEOUT_MS,
    );
    if (!Array.isArray(reply) || typeof reply[1] !== "string") return undefined;
    return parseJobResult(reply[1]);
  } catch {
    return undefined;
  }
}
