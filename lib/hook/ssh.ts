/**
 * The SSH door (the hook's `ssh` mode): the forced command of every customer key, run by
 * sshd as `dns-api-hook ssh <user>` from the `authorized_keys` line
 * `command="<hook command> ssh <user>",restrict <key>`.
 *
 * It reads what the customer asked for in `SSH_ORIGINAL_COMMAND` and lets through only
 * `git-receive-pack` / `git-upload-pack` (also spelled `git receive-pack`) on the user's
 * own repository, however the path is written (`U`, `U.git`, `/U`, `~/U`, `'U'`,
 * `REPOS_ROOT/U`); git runs directly, without a shell, with the connection's stdio.
 * The read-only customer commands (`help`, `check ZONE`, `logs [UUID] [--json]`,
 * `nameservers [ZONE]`) are answered too: `help` here, the others by the worker binary
 * (`dns-api-worker customer <user> -- <command…>`, DNSAPI_WORKER_COMMAND), which
 * reads MySQL and shows only that customer's data. Anything else (a shell, scp, sftp,
 * another repository, an unknown command) gets one line saying what is allowed, exit 1.
 *
 * Worker hosts without the repositories (REPOS_REMOTE=ssh://git@git-host/) come in with a
 * worker key, whose line forces `dns-api-hook ssh-worker` ({@linkcode runSshWorker}): it lets
 * through `git-upload-pack` (or `git upload-pack`) of any customer repository and nothing
 * else — no push, no customer commands, no shell.
 *
 * Banned and expired users are not checked here (the hook does not load MySQL): the
 * worker keeps their keys out of `authorized_keys`, so they never reach this door.
 *
 * Every connection appends one line for the operator to DNSAPI_SSH_LOG (default
 * `REPOS_ROOT/.dns-api-ssh.log`): time, user, key fingerprint (when sshd's
 * ExposeAuthInfo names it in SSH_USER_AUTH), client address, command, verdict.
 * Nothing of it goes to the customer's terminal.
 *
 * @module
 */

import { isValidUser } from "../job/contract.ts";
import { normalizePath } from "../job/paths.ts";
import { escapeControl } from "../util/escape.ts";
import { readNote } from "./notes.ts";
import { contactOf } from "./post_receive.ts";
import { messageOf } from "../util/message.ts";

/** What the door needs from the outside world (real in hook.ts, fakes in tests). */
export interface SshIo {
  /** The door's settings: the settings file over the process environment. */
  env(name: string): string | undefined;
  /** The environment given to git and the worker (the settings included). */
  childEnv: Record<string, string>;
  /** One line to the customer's stderr. */
  stderr(line: string): void;
  /** Text to the customer's stdout. */
  stdout(text: string): void;
  /** Runs a program with the connection's stdin/stdout/stderr; resolves with its exit code. */
  run(argv: string[], env: Record<string, string>): Promise<number>;
  /** Appends one line to a file. */
  appendLine(path: string, line: string): Promise<void>;
  /** Reads a text file (SSH_USER_AUTH). */
  readTextFile(path: string): Promise<string>;
}

/** What a customer may do: the line every refusal prints. */
export const ALLOWED =
  "allowed: git push/clone/fetch of your own repository, and the commands help, " +
  "check ZONE (zone file on stdin), logs [UUID] [--json], nameservers [ZONE]";

/** What the door decided for one command line. */
export type Decision =
  | { kind: "git"; service: "receive-pack" | "upload-pack" }
  | { kind: "help" }
  | { kind: "customer"; words: string[] }
  | { kind: "refuse"; reason: string };

/**
 * Splits a command line as sh would split plain words: whitespace separates, '…' and
 * "…" quote, a backslash escapes one character. Returns undefined for an unclosed quote.
 */
export function splitWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? "";
    if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) return undefined;
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** The repository a customer's path names (`/U.git` → `U`), relative to REPOS_ROOT. */
export function repoOfPath(path: string, reposRoot: string): string {
  let p = path;
  if (p.startsWith("~/")) p = p.slice(2);
  const root = normalizePath(reposRoot).replace(/\/+$/, "");
  if (p.startsWith("/")) p = normalizePath(p);
  if (root !== "" && p.startsWith(`${root}/`)) p = p.slice(root.length + 1);
  return p.replace(/^\/+/, "").replace(/\/+$/, "").replace(/\.git$/, "");
}

const CUSTOMER_COMMANDS: Record<string, (args: string[]) => boolean> = {
  help: (args) => args.length === 0,
  check: (args) => args.length === 1,
  logs: (args) => args.filter((a) => a !== "--json").length <= 1,
  nameservers: (args) => args.length <= 1,
};

/** Decides one `SSH_ORIGINAL_COMMAND` for `user` (pure). */
export function decide(command: string | undefined, user: string, reposRoot: string): Decision {
  if (command === undefined || command.trim() === "") {
    return { kind: "refuse", reason: "no shell here" };
  }
  const words = splitWords(command);
  if (!words || words.length === 0) return { kind: "refuse", reason: "cannot read the command" };
  let [first, ...rest] = words;
  if (first === "git" && (rest[0] === "receive-pack" || rest[0] === "upload-pack")) {
    first = `git-${rest[0]}`;
    rest = rest.slice(1);
  }
  if (first === "git-receive-pack" || first === "git-upload-pack") {
    if (rest.length !== 1) return { kind: "refuse", reason: `${first} takes one repository` };
    const repo = repoOfPath(rest[0] ?? "", reposRoot);
    if (repo !== user) {
      return { kind: "refuse", reason: `your repository is ${user}, not ${rest[0]}` };
    }
    return { kind: "git", service: first === "git-receive-pack" ? "receive-pack" : "upload-pack" };
  }
  const check = CUSTOMER_COMMANDS[first ?? ""];
  if (check && Object.hasOwn(CUSTOMER_COMMANDS, first ?? "")) {
    if (!check(rest)) return { kind: "refuse", reason: `wrong arguments for ${first}` };
    return first === "help" ? { kind: "help" } : { kind: "customer", words };
  }
  const shown = (first ?? "").slice(0, 40);
  if (first === "scp" || first === "rsync" || /sftp/.test(first ?? "")) {
    return { kind: "refuse", reason: `${shown} is not available` };
  }
  return { kind: "refuse", reason: `unknown command ${JSON.stringify(shown)}` };
}

/** What a worker key may do: the line its refusals print. */
export const WORKER_ALLOWED = "allowed for a worker key: git fetch/clone of a customer repository";

/** What the door decided for a worker key's command line: a fetch of `repo`, or not. */
export type WorkerDecision = { kind: "fetch"; repo: string } | { kind: "refuse"; reason: string };

/** Decides one `SSH_ORIGINAL_COMMAND` of a worker key (pure). */
export function decideWorker(command: string | undefined, reposRoot: string): WorkerDecision {
  const words = command === undefined ? [] : splitWords(command);
  if (!words || words.length === 0) return { kind: "refuse", reason: "no shell here" };
  const [first, ...rest] = words[0] === "git" ? [`git-${words[1]}`, ...words.slice(2)] : words;
  if (first !== "git-upload-pack") {
    return {
      kind: "refuse",
      reason: `${(first ?? "").slice(0, 40)} is not available to a worker key`,
    };
  }
  if (rest.length !== 1) return { kind: "refuse", reason: `${first} takes one repository` };
  const repo = repoOfPath(rest[0] ?? "", reposRoot);
  if (!isValidUser(repo)) {
    return {
      kind: "refuse",
      reason: `${(rest[0] ?? "").slice(0, 80)} is not a customer repository`,
    };
  }
  return { kind: "fetch", repo };
}

/** The text of `help`. */
export function helpText(user: string): string {
  return [
    `dns-api: you are ${user}. Over this connection you can:`,
    `  git clone <this host>:${user}     clone your zone repository; git push deploys it`,
    "  help                  this text",
    "  check ZONE            check a zone file: ssh … check shop.test < zones/shop.test",
    "  logs [UUID] [--json]  what a push's job did (default: your latest job)",
    "  nameservers [ZONE]    the name servers to set at your registrar",
    "",
  ].join("\n");
}

/** `SHA256:…` of the first public key in sshd's SSH_USER_AUTH file, if any. */
export async function fingerprintOf(authInfo: string): Promise<string | undefined> {
  const m = /^publickey \S+ ([A-Za-z0-9+/=]+)/m.exec(authInfo);
  if (!m) return undefined;
  let blob: Uint8Array<ArrayBuffer>;
  try {
    blob = Uint8Array.from(atob(m[1] ?? ""), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", blob));
  return `SHA256:${btoa(String.fromCharCode(...digest)).replace(/=+$/, "")}`;
}

/** The operator's line for one connection. */
async function logLine(io: SshIo, user: string, verdict: string): Promise<string> {
  const authFile = io.env("SSH_USER_AUTH");
  const key = authFile
    ? await io.readTextFile(authFile).then(fingerprintOf, () => undefined)
    : undefined;
  const [ip, port] = (io.env("SSH_CONNECTION") ?? "").split(" ");
  const fields = [
    new Date().toISOString(),
    "ssh",
    `user=${user}`,
    ...(key ? [`key=${key}`] : []),
    `from=${ip || "-"}${port ? `:${port}` : ""}`,
    `command=${JSON.stringify(io.env("SSH_ORIGINAL_COMMAND") ?? "")}`,
    verdict,
  ];
  return escapeControl(fields.join(" "));
}

/** The worker command the customer commands run (DNSAPI_WORKER_COMMAND, a JSON array). */
function workerCommand(io: SshIo): string[] | string {
  const raw = io.env("DNSAPI_WORKER_COMMAND");
  if (!raw) return "DNSAPI_WORKER_COMMAND is not set (run install-hooks)";
  try {
    const argv: unknown = JSON.parse(raw);
    if (Array.isArray(argv) && argv.length > 0 && argv.every((a) => typeof a === "string")) {
      return argv;
    }
  } catch {
    // reported below
  }
  return "DNSAPI_WORKER_COMMAND is not a JSON array of strings";
}

/** Runs a program for the customer; one line instead when it cannot be started. */
async function runOrSay(io: SshIo, argv: string[]): Promise<number> {
  try {
    return await io.run(argv, io.childEnv);
  } catch (error) {
    io.stderr(
      `dns-api: cannot run ${argv[0]}: ${messageOf(error)}; please contact ${contactOf(io)}`,
    );
    return 1;
  }
}

/** Appends the operator's line for this connection to DNSAPI_SSH_LOG. */
async function logConnection(
  io: SshIo,
  who: string,
  decision: Decision | WorkerDecision,
): Promise<void> {
  const reposRoot = io.env("REPOS_ROOT") || "/repos";
  const verdict = decision.kind === "refuse" ? `refused (${decision.reason})` : "allowed";
  const logFile = io.env("DNSAPI_SSH_LOG") || `${reposRoot.replace(/\/+$/, "")}/.dns-api-ssh.log`;
  try {
    await io.appendLine(logFile, await logLine(io, who, verdict));
  } catch (error) {
    io.stderr(`dns-api: note: the connection log ${logFile} is not writable (${messageOf(error)})`);
  }
}

/**
 * The `ssh-worker` mode (a worker key's forced command; `args` is empty): fetches of any
 * customer repository, nothing else; returns the exit code sshd passes to the client.
 */
export async function runSshWorker(io: SshIo, args: string[]): Promise<number> {
  if (args.length !== 0) {
    io.stderr("dns-api: this worker key is not set up correctly (ssh-worker takes no arguments)");
    return 1;
  }
  const reposRoot = io.env("REPOS_ROOT") || "/repos";
  const decision = decideWorker(io.env("SSH_ORIGINAL_COMMAND"), reposRoot);
  await logConnection(io, "(worker)", decision);
  if (decision.kind === "refuse") {
    io.stderr(`dns-api: refused: ${escapeControl(decision.reason)}. ${WORKER_ALLOWED}.`);
    return 1;
  }
  const path = `${reposRoot.replace(/\/+$/, "")}/${decision.repo}`;
  return await runOrSay(io, ["git", "upload-pack", path]);
}

/** The `ssh` mode: `args` is `[user]`; returns the exit code sshd passes to the client. */
export async function runSsh(io: SshIo, args: string[]): Promise<number> {
  const user = args[0] ?? "";
  if (args.length !== 1 || !isValidUser(user)) {
    io.stderr("dns-api: this key is not set up correctly; please contact your provider");
    return 1;
  }
  const reposRoot = io.env("REPOS_ROOT") || "/repos";
  const decision = decide(io.env("SSH_ORIGINAL_COMMAND"), user, reposRoot);
  await logConnection(io, user, decision);
  switch (decision.kind) {
    case "refuse":
      io.stderr(`dns-api: refused: ${escapeControl(decision.reason)}. ${ALLOWED}.`);
      return 1;
    case "help": {
      const note = await readNote(io, user);
      io.stdout(helpText(user) + note.map((line) => `note: ${line}\n`).join(""));
      return 0;
    }
    case "git":
      return await runOrSay(io, [
        "git",
        decision.service,
        `${reposRoot.replace(/\/+$/, "")}/${user}`,
      ]);
    case "customer": {
      const worker = workerCommand(io);
      if (typeof worker === "string") {
        io.stderr(`dns-api: this command is not available right now: ${worker}`);
        return 1;
      }
      return await runOrSay(io, [...worker, "customer", user, "--", ...decision.words]);
    }
  }
}
