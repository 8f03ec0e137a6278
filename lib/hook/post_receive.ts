/**
 * The hook's `post-receive` mode: queue one job for the repository's user and tell the
 * pusher (`dns-api: queued <uuid>`, which git shows as `remote: dns-api: queued <uuid>`);
 * with a wait (DNSAPI_HOOK_WAIT, or the old DNS_API_HOOK_WAIT; seconds, default 10) it then waits for the job's
 * result and prints the per-zone summary (with a new zone's name servers and, for a small
 * push, the changed records), or "queued, waiting for a worker" when no worker took the
 * job within a second, and where to read the log later (`ssh git@DNSAPI_SSH_HOST logs
 * <uuid>`). A push that updates no deployed branch (HEAD's) queues nothing and says so;
 * the user's note (NOTES_ROOT/<user>, lib/hook/notes.ts) is printed first.
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
import { readNote } from "./notes.ts";
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

/**
 * The command that reads a job's log: `ssh git@HOST logs <uuid>` with the SSH door's host
 * (DNSAPI_SSH_HOST, a host or `user@host`), else the bare `logs <uuid>`.
 */
export function logsCommand(io: Pick<HookIo, "env">, uuid: string): string {
  const host = io.env("DNSAPI_SSH_HOST");
  if (!host) return `logs ${uuid}`;
  return `ssh ${host.includes("@") ? host : `git@${host}`} logs ${uuid}`;
}

/**
 * Why a push queues nothing: none of its updates is to the deployed branch (the one the
 * repository's HEAD names). Undefined when it deploys, or when HEAD names no branch.
 */
export function notDeployed(updates: RefUpdate[], headRef: string | undefined): string | undefined {
  if (headRef === undefined || updates.some((u) => u.ref === headRef)) return undefined;
  const branch = headRef.replace(/^refs\/heads\//, "");
  return `not deployed: only \`${branch}\` is deployed`;
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

/** The CA of a `rediss://` Redis (DNSAPI_REDIS_CA, a PEM file), when one is set. */
async function redisCaCerts(io: HookIo): Promise<{ caCerts?: string[] }> {
  const file = io.env("DNSAPI_REDIS_CA");
  if (!file) return {};
  const pem = await io.readTextFile(file).catch((error) => {
    throw new Error(`cannot read DNSAPI_REDIS_CA ${file}: ${messageOf(error)}`, { cause: error });
  });
  return { caCerts: [pem] };
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
  for (const line of await readNote(io, located.user)) say(io, `note: ${line}`);
  const updates = parseRefUpdates(io.stdin);
  const skipped = notDeployed(updates, headRef);
  if (skipped !== undefined) {
    say(io, `${skipped}; nothing was queued`);
    return 0;
  }
  const update = chooseUpdate(updates, headRef);
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
      ...await redisCaCerts(io),
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
    const later = `read the result later with: ${logsCommand(io, job.uuid)}`;
    // A first short wait; a job still queued after it waits for a worker: say so at once.
    const first = Math.min(wait, FIRST_WAIT_SECONDS);
    let result = first > 0 ? await waitForResult(redis, keys.done(job.uuid), first) : undefined;
    let waiting = false;
    if (!result && wait > 0) {
      waiting = await jobState(redis, keys.job(job.uuid)) === "queued";
      if (waiting) say(io, "queued, waiting for a worker");
      if (wait > first) result = await waitForResult(redis, keys.done(job.uuid), wait - first);
      if (!result && waiting) waiting = await jobState(redis, keys.job(job.uuid)) === "queued";
    }
    if (result) {
      for (const line of resultLines(result)) say(io, line);
    } else if (wait > 0 && !waiting) {
      say(io, `still working; ${later}`);
    } else {
      say(io, later);
    }
  } finally {
    redis.close();
  }
  return 0;
}

/** How long the hook waits before it looks whether a worker took the job: 1 s. */
export const FIRST_WAIT_SECONDS = 1;

/** The job's `state` (`queued` | `running`), or undefined when it cannot be read. */
async function jobState(redis: RespClient, jobKey: string): Promise<string | undefined> {
  try {
    const [state] = await redis.send([["HGET", jobKey, "state"]]);
    return typeof state === "string" ? state : undefined;
  } catch {
    return undefined;
  }
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
