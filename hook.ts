/**
 * Entry of the hook binary, run by git inside every customer's push.
 *
 * `hook.ts [post-receive|pre-receive]` (the mode defaults to the binary's name when it
 * is installed as `hooks/post-receive`, else to post-receive).
 *
 * post-receive reads git's `old new ref` lines, queues one job for the repository's
 * user and prints `dns-api: queued <uuid>` (git shows it to the pusher as
 * `remote: dns-api: queued <uuid>`). With `DNS_API_HOOK_WAIT=N` (seconds, default 10)
 * it then waits for the job's result and prints the per-zone summary.
 *
 * Start-up time is the budget: only lib/job/ is imported (no zod,
 * no ioredis, no node: modules). Every Redis step has a short timeout so a push never
 * hangs; when Redis is unreachable the customer is told plainly that the push is
 * stored but DNS was not updated, and the hook exits 1 (the push itself stays).
 *
 * Environment: REDIS_URL, REPOS_ROOT, DNS_API_HOOK_WAIT, DNSAPI_KEY_PREFIX,
 * DNSAPI_CONTACT (whom the customer should contact), GIT_DIR (set by git).
 *
 * @module
 */

import denoJson from "./deno.json" with { type: "json" };
import { isValidUser, type Job, type JobResult, parseJobResult } from "./lib/job/contract.ts";
import { DEFAULT_PREFIX, ENQUEUE_SCRIPT, enqueueArgs, queueKeys } from "./lib/job/keys.ts";
import { normalizePath } from "./lib/job/paths.ts";
import { connectResp, type RespClient, RespError } from "./lib/job/resp.ts";

/** Connect and command timeout: short, so a push never hangs on Redis. */
const REDIS_TIMEOUT_MS = 2000;

/** One line of git's hook input: `<old-sha> <new-sha> <ref>`. */
export interface RefUpdate {
  old: string;
  new: string;
  ref: string;
}

const ZERO_SHA = /^0+$/;

/**
 * Reads git's pre/post-receive input. Lines that are not `sha sha ref` are ignored.
 *
 * @example
 * ```ts
 * parseRefUpdates("0000… 1a2b… refs/heads/main\n"); // [{ old, new, ref }]
 * ```
 */
export function parseRefUpdates(input: string): RefUpdate[] {
  const updates: RefUpdate[] = [];
  for (const line of input.split("\n")) {
    const m = /^([0-9a-f]{40}(?:[0-9a-f]{24})?) ([0-9a-f]{40}(?:[0-9a-f]{24})?) (\S+)$/.exec(
      line.trim(),
    );
    if (m) updates.push({ old: m[1]!, new: m[2]!, ref: m[3]! });
  }
  return updates;
}

/**
 * The update a job records as `ref`/`after`: the one to the branch HEAD names, else
 * the first that does not delete its ref. The worker syncs to the repository's
 * latest state anyway; these fields tell the log which push it was.
 */
export function chooseUpdate(
  updates: RefUpdate[],
  headRef: string | undefined,
): RefUpdate | undefined {
  const live = updates.filter((u) => !ZERO_SHA.test(u.new));
  return live.find((u) => u.ref === headRef) ?? live[0];
}

/** The branch a `HEAD` file points to (`ref: refs/heads/main`), if it is symbolic. */
export function headRefFrom(headFile: string): string | undefined {
  return /^ref: (\S+)\s*$/.exec(headFile)?.[1];
}

/** Builds the job for one push (DESIGN.md's JSON). */
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

/** What post-receive needs from the outside world (real in main, fakes in tests). */
export interface HookIo {
  env(name: string): string | undefined;
  cwd: string;
  stdin: string;
  readTextFile(path: string): Promise<string>;
  realPath(path: string): Promise<string>;
  print(line: string): void;
}

function say(io: HookIo, line: string): void {
  io.print(`dns-api: ${line}`);
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
    return `repository ${repo} cannot be found (${errorText(error)})`;
  }
  return { user, repo, gitDir };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function contact(io: HookIo): string {
  return io.env("DNSAPI_CONTACT") || "the support of your DNS provider";
}

function waitSeconds(io: HookIo): number {
  const raw = io.env("DNS_API_HOOK_WAIT");
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
    say(io, `Please contact ${contact(io)}.`);
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
    say(io, `(${errorText(error)}).`);
    say(io, `Push again later (an empty commit will do), or contact ${contact(io)}.`);
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

/**
 * pre-receive: parses the zone files the pushed commits change and rejects the push
 * with `zones/file:line: message` lines when one is invalid (lib/hook/pre_receive.ts). The
 * zone reader is loaded here, by a static-string dynamic import (which `deno compile`
 * includes), so post-receive's start-up does not pay for it. A failure of the
 * validator itself lets the push through.
 */
async function preReceive(io: HookIo): Promise<number> {
  try {
    const { runPreReceive } = await import("./lib/hook/pre_receive.ts");
    return await runPreReceive(io.stdin, io);
  } catch (error) {
    say(io, `could not validate the zone files (${String(error)}); the push goes on`);
    return 0;
  }
}

const MODES: Record<string, (io: HookIo) => Promise<number>> = {
  "post-receive": postReceive,
  "pre-receive": preReceive,
};

/** The mode to run: an explicit argument, else the binary's own name, else post-receive. */
export function chooseMode(args: string[], execPath: string): string | undefined {
  if (args[0] !== undefined) return args[0] in MODES ? args[0] : undefined;
  const name = execPath.slice(execPath.lastIndexOf("/") + 1);
  return name in MODES ? name : "post-receive";
}

/** Reads all of stdin (plain reads: a `Response` over the stream costs ~10 ms more). */
async function readStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(16 * 1024);
  for (let n = await Deno.stdin.read(buf); n !== null; n = await Deno.stdin.read(buf)) {
    chunks.push(buf.slice(0, n));
  }
  const all = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(all);
}

async function main(): Promise<number> {
  const usage = `usage: dns-api-hook [${Object.keys(MODES).join("|")}] (git runs it as a hook)`;
  const [first] = Deno.args;
  // git never passes these; they are for the operator.
  if (first === "--help" || first === "-h" || first === "--version") {
    console.log(first === "--version" ? `dns-api-hook ${denoJson.version}` : usage);
    return 0;
  }
  const mode = chooseMode(Deno.args, Deno.execPath());
  const run = mode === undefined ? undefined : MODES[mode];
  if (!run) {
    console.error(usage);
    return 2;
  }
  const io: HookIo = {
    env: (name) => Deno.env.get(name),
    cwd: Deno.cwd(),
    stdin: Deno.stdin.isTerminal() ? "" : await readStdin(),
    readTextFile: (path) => Deno.readTextFile(path),
    realPath: (path) => Deno.realPath(path),
    print: (line) => console.log(line),
  };
  try {
    return await run(io);
  } catch (error) {
    // A bug in the hook must neither block a push (pre-receive) nor hide from the
    // pusher that DNS was not updated (post-receive).
    say(io, `internal error in ${mode}: ${errorText(error)}`);
    if (mode === "pre-receive") {
      say(io, "the push was not checked and goes through; it is queued as usual.");
      return 0;
    }
    say(io, `DNS was NOT updated; please contact ${contact(io)}.`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main());
