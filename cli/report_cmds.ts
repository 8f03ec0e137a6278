/**
 * Read-only commands: `logs UUID [--json]` and `status [--json]`.
 *
 * @module
 */
import type { Db, JobView } from "../lib/db.ts";
import type { Queue } from "../lib/queue.ts";
import type { Invocation } from "./commands.ts";
import { escapeControl } from "../lib/errors.ts";
import type { Context } from "./context.ts";

/** A job's id, as `logs` takes it. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where `logs` reads a job from: MySQL's row and log, Redis's state and result. */
export interface JobSources {
  db: Pick<Db, "getJobWithLogs">;
  queue: Pick<Queue, "jobState" | "waitResult">;
  /** The user named by the job's payload in Redis ("" when unknown). */
  queuedUser(uuid: string): Promise<string>;
}

/**
 * The job as docs/design.md's `logs UUID --json` prints it: MySQL first; a uuid still
 * waiting in Redis (the hook does not touch MySQL) reports `queued`; a job whose final
 * status only reached Redis (MySQL was down, or the job was refused as invalid) reports
 * that, with the result's lines as its log.
 */
export async function readJobView(src: JobSources, uuid: string): Promise<JobView | null> {
  // Redis first, MySQL second: the worker writes the other way round (the job's row,
  // then the result it publishes), so a final state read here was published after the
  // row was final, and the row read next has its commit and lines. Read MySQL first
  // and the worker could finish in between: a stale `running` row, without its
  // commit, would be reported with the final state found after it.
  const state = await src.queue.jobState(uuid);
  const stored = await src.db.getJobWithLogs(uuid);
  if (stored && (stored.status === "succeeded" || stored.status === "failed")) return stored;
  // A final status only Redis knows (MySQL was down, or the job was refused before it
  // reached MySQL) comes with its result's lines, so it is never a status without a log.
  const resultLog = async (): Promise<JobView["log"]> => {
    if (state !== "succeeded" && state !== "failed") return [];
    const result = await src.queue.waitResult(uuid, 0);
    const level = state === "failed" ? "error" : "info";
    const ts = new Date().toISOString();
    return (result?.lines ?? []).map((message) => ({ ts, level, zone: null, message }));
  };
  if (stored) {
    if (!state || state === stored.status) return stored;
    return { ...stored, status: state, log: [...stored.log, ...await resultLog()] };
  }
  if (state === null) return null;
  return {
    uuid,
    user: await src.queuedUser(uuid),
    status: state,
    commit: null,
    log: await resultLog(),
  };
}

/** {@linkcode readJobView} over the command's MySQL pool and Redis client. */
export async function jobView(ctx: Context, uuid: string): Promise<JobView | null> {
  const db = await ctx.db();
  const queue = ctx.queue();
  const queuedUser = async (uuid: string): Promise<string> => {
    const raw = await ctx.redis().hget(queue.keys.job(uuid), "json");
    try {
      const parsed: unknown = raw ? JSON.parse(raw) : null;
      if (parsed && typeof parsed === "object" && "user" in parsed) return String(parsed.user);
    } catch {
      // The user stays unknown; the status is still right.
    }
    return "";
  };
  return await readJobView({ db, queue, queuedUser }, uuid);
}

/** `logs UUID [--json]`. */
export async function cmdLogs(
  ctx: Context,
  { values, args: [uuid] }: Invocation<"logs">,
): Promise<number> {
  if (!UUID.test(uuid)) {
    ctx.out.stderr(`logs: "${uuid}" is not a job's UUID\n`);
    return 2;
  }
  const view = await jobView(ctx, uuid.toLowerCase());
  if (!view) {
    ctx.out.stderr(`no job ${uuid} (unknown, or its record has expired)\n`);
    return 1;
  }
  printJobView(ctx, view, values.json);
  return 0;
}

/** Prints a job as `logs` does (also the SSH door's `logs`): a header and its log lines. */
export function printJobView(ctx: Context, view: JobView, json: boolean): void {
  if (json) {
    ctx.out.stdout(escapeControl(JSON.stringify(view)) + "\n");
    return;
  }
  ctx.out.stdout(
    `job ${view.uuid}  user ${view.user}  status ${view.status}` +
      (view.commit ? `  commit ${view.commit.slice(0, 12)}` : "") + "\n",
  );
  for (const line of view.log) {
    const zone = line.zone ? ` [${line.zone}]` : "";
    ctx.out.stdout(
      escapeControl(`${line.ts} ${line.level.padEnd(5)}${zone} ${line.message}`) + "\n",
    );
  }
}

/** `status [--json]`: queue depth, running syncs, job counts, recent failures. */
export async function cmdStatus(ctx: Context, { values }: Invocation<"status">): Promise<number> {
  const db = await ctx.db();
  const [queue, jobs, failures] = await Promise.all([
    ctx.queue().stats(),
    db.jobCounts(),
    db.recentFailures(10),
  ]);
  const report = { queue, jobs, recentFailures: failures };
  if (values.json) {
    ctx.out.stdout(escapeControl(JSON.stringify(report)) + "\n");
    return 0;
  }
  const o = ctx.out.stdout;
  o(
    `queue: ${queue.queuedJobs} job(s) waiting for ${queue.readyUsers} user(s) ` +
      `(${queue.dueUsers} due), ${queue.runningJobs} running, ${queue.deadJobs} dead, ` +
      `${queue.invalidPayloads} invalid payload(s), ${queue.legacyWaiting} legacy waiting\n`,
  );
  for (const r of queue.running) {
    o(`  running: ${r.user} on ${r.workerId} since ${r.since.toISOString()}\n`);
  }
  o(`jobs: ${Object.entries(jobs).map(([k, v]) => `${v} ${k}`).join(", ")}\n`);
  for (const f of failures) {
    o(
      escapeControl(
        `  failed ${f.uuid} ${f.user} ${f.finishedAt?.toISOString() ?? ""} ${f.error ?? ""}`,
      ) + "\n",
    );
  }
  return 0;
}
