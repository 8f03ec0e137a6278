/**
 * Reads the worker's argv against the command table (cli/commands.ts) and writes its
 * help. Pure: it returns either the invocation to run or the {@linkcode Reply} to print
 * (help, the version, or a usage error), and never touches the environment, so
 * `--help` does nothing else.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { messageOf } from "../lib/errors.ts";
import {
  type AnyInvocation,
  type CommandName,
  COMMANDS,
  type CommandSpec,
  type Invocation,
  PROGRAM,
  VERSION,
} from "./commands.ts";

/** What to print instead of running a command: help (exit 0) or a usage error (exit 2). */
export interface Reply {
  code: 0 | 2;
  stdout: string;
  stderr: string;
}

const NAMES = Object.keys(COMMANDS) as CommandName[];
const HELP = new Set(["--help", "-h"]);

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

function spec(name: CommandName): CommandSpec {
  return COMMANDS[name];
}

/** The subcommands of a group (`user` → `user add`, `user ban`, ...). */
function groupMembers(group: string): CommandName[] {
  return NAMES.filter((name) => name.startsWith(`${group} `));
}

function help(text: string): Reply {
  return { code: 0, stdout: text, stderr: "" };
}

function usageError(message: string, usage: string): Reply {
  return { code: 2, stdout: "", stderr: `${message}\n${usage}` };
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}\n`).join("");
}

/** The overview `--help` and `help` print: every command with its summary. */
export function overview(): string {
  return `usage: ${PROGRAM} <command> [options]\n` +
    `       ${PROGRAM} <command> --help    (that command's options)\n` +
    `       ${PROGRAM} --version\n\ncommands:\n` +
    table(NAMES.map((name) => [spec(name).usage, spec(name).summary])) +
    "\nconfiguration comes from the environment: REDIS_URL, DATABASE_URL, REPOS_ROOT, " +
    "WORK_ROOT,\nZONES_DIR, AWS_* (credentials, region, AWS_ENDPOINT_URL_ROUTE_53), " +
    "METRICS_PORT, ...\n(see README.md).\n";
}

/** One command's help: its usage, summary and options. */
export function commandHelp(name: CommandName): string {
  const { usage, summary, options } = spec(name);
  const rows = Object.entries(options).map(([option, o]): [string, string] => [
    `--${option}${o.value ? ` ${o.value}` : ""}`,
    o.help,
  ]);
  rows.push(["-h, --help", "print this help"]);
  return `usage: ${usage}\n\n${summary}\n\noptions:\n${table(rows)}`;
}

/** The group's own commands (`user add|ban|…`); a nested group's (`user key …`) are in its help. */
function groupUsage(group: string): string {
  const subs = groupMembers(group).map((name) => name.slice(group.length + 1));
  // A group inside the group (`user remote`) gets a usage line of its own.
  const direct = subs.filter((sub) => !sub.includes(" "));
  const nested = [...new Set(subs.filter((sub) => sub.includes(" ")).map((s) => s.split(" ")[0]))];
  return `usage: ${group} ${direct.join("|")} ...\n` +
    nested.map((inner) => groupUsage(`${group} ${inner}`).replace(/^usage:/, "      ")).join("");
}

function groupHelp(group: string): string {
  const members = groupMembers(group);
  return `${groupUsage(group)}\ncommands:\n` +
    table(members.map((name) => [spec(name).usage, spec(name).summary])) +
    `\n${PROGRAM} ${group} <command> --help prints that command's options.\n`;
}

/** True when the arguments ask for help (before a `--`, after which all are positional). */
function asksHelp(args: string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((arg) => HELP.has(arg));
}

/**
 * Reads one command's arguments (those after its name) against its table entry.
 *
 * @example
 * ```ts
 * readCommand("logs", ["--json", "0b9c…"]); // { name: "logs", values: { json: true }, args: ["0b9c…"] }
 * readCommand("logs", []); // { code: 2, stderr: "logs: missing UUID\nusage: logs UUID [--json]\n", … }
 * ```
 */
export function readCommand<K extends CommandName>(name: K, args: string[]): Invocation<K> | Reply {
  const { usage, options, args: names } = spec(name);
  if (asksHelp(args)) return help(commandHelp(name));
  const fail = (message: string) => usageError(`${name}: ${message}`, `usage: ${usage}\n`);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: Object.fromEntries(
        Object.entries(options).map(([option, o]) => [option, { type: o.type }]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // parseArgs goes on to explain `--`; its first sentence is the error.
    return fail(messageOf(error).split(". ")[0]!);
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [option, o] of Object.entries(options)) {
    const value = parsed.values[option];
    values[option] = o.type === "boolean"
      ? value === true
      : typeof value === "string"
      ? value
      : undefined;
    if (o.required && values[option] === undefined) return fail(`--${option} is required`);
  }
  const { positionals } = parsed;
  const listed = names.at(-1)?.endsWith("...") === true;
  if (positionals.length < names.length) {
    return fail(`missing ${names[positionals.length]?.replace(/\.\.\.$/, "")}`);
  }
  if (!listed && positionals.length > names.length) {
    return fail(`unexpected argument "${positionals[names.length]}"`);
  }
  const read = names.map((n, i) => n.endsWith("...") ? positionals.slice(i) : positionals[i]);
  // parseArgs (strict) checked each option's type and the loops above built exactly the
  // table's options and arguments, so the values have the shape the table declares.
  return { name, values, args: read } as unknown as Invocation<K>;
}

/**
 * Reads the whole command line: the invocation to run, or the help, version or usage
 * error to print.
 *
 * @example
 * ```ts
 * readCommandLine(["migrate", "--help"]); // { code: 0, stdout: "usage: migrate\n…", stderr: "" }
 * readCommandLine(["user", "ban", "bob"]); // { name: "user ban", values: {}, args: ["bob"] }
 * ```
 */
export function readCommandLine(argv: string[]): AnyInvocation | Reply {
  const [first] = argv;
  if (first === undefined) return usageError("no command given", overview());
  if (HELP.has(first)) return help(overview());
  if (first === "--version") return help(`${PROGRAM} ${VERSION}\n`);
  if (first === "help") {
    return argv.length === 1 ? help(overview()) : readCommandLine([...argv.slice(1), "--help"]);
  }
  // The longest name the words spell wins: `user key add` before `user key`, `user`.
  for (let words = 3; words >= 1; words--) {
    const name = argv.slice(0, words).join(" ");
    if (argv.length >= words && isCommand(name)) {
      return readCommand(name, argv.slice(words)) as AnyInvocation | Reply;
    }
  }
  for (let words = 2; words >= 1; words--) {
    const group = argv.slice(0, words).join(" ");
    if (argv.length < words || groupMembers(group).length === 0) continue;
    const next = argv[words];
    if (next === undefined) return usageError(`${group}: missing command`, groupHelp(group));
    if (asksHelp(argv.slice(words))) return help(groupHelp(group));
    return usageError(`unknown ${group} command "${next}"`, groupHelp(group));
  }
  if (first.startsWith("-")) return usageError(`unknown option "${first}"`, overview());
  return usageError(`unknown command "${first}"`, overview());
}

/** Prints a reply and returns its exit code. */
export function answer(
  reply: Reply,
  out: { stdout: (s: string) => void; stderr: (s: string) => void },
): number {
  if (reply.stdout) out.stdout(reply.stdout);
  if (reply.stderr) out.stderr(reply.stderr);
  return reply.code;
}
