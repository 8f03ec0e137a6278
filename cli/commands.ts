/**
 * The worker's command table: every command line it answers, with its usage, summary,
 * options and arguments. cli/command_line.ts reads argv against it, main.ts dispatches
 * on the names it yields and `--help` prints it, so help cannot drift from dispatch.
 *
 * The table is plain data and imports nothing at run time: `--help` and a usage error
 * are answered before any service module is loaded.
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };

/** The binary's name, as `--version` and the overview print it. */
export const PROGRAM = "dns-api-worker";

/** The release, from deno.json's `version` (a JSON import, so `deno compile` embeds it). */
export const VERSION: string = denoJson.version;

/** One option of a command. Booleans default to false; strings to unset. */
export interface OptionSpec {
  type: "boolean" | "string";
  /** The placeholder of a string option's value in help text (`--user U`). */
  value?: string;
  /** A string option the command cannot run without. */
  required?: boolean;
  /** One line for `--help`. */
  help: string;
}

/** One command (or subcommand: its name is `group sub`, e.g. `user add`). */
export interface CommandSpec {
  /** The synopsis after `usage: `; names every option and argument below. */
  usage: string;
  /** One line for the overview and the command's help. */
  summary: string;
  options: Record<string, OptionSpec>;
  /** Positional arguments in order; a last name ending in `...` takes one or more. */
  args: readonly string[];
}

const json = { type: "boolean", help: "print the result as JSON" } as const;
const user = { type: "string", value: "U", required: true, help: "the customer" } as const;
const full = {
  type: "boolean",
  help: "list Route 53 and diff every zone, not only what the push changed",
} as const;

/** Every command, in the order the overview lists them. */
export const COMMANDS = {
  run: {
    usage: "run [--once] [--until-idle]",
    summary: "the worker daemon (SIGTERM: finish the job in hand, exit)",
    options: {
      once: { type: "boolean", help: "handle one job, then exit" },
      "until-idle": { type: "boolean", help: "exit once the queue is empty" },
    },
    args: [],
  },
  check: {
    usage: "check [--json] FILE...",
    summary: "validate zone files, or the zone files of a directory; the zone is the file's name",
    options: { json },
    args: ["FILE..."],
  },
  plan: {
    usage: "plan --user U [--full] [--json] [--exit-code]",
    summary: "dry run: what a sync of U would change",
    options: {
      user,
      full,
      json,
      "exit-code": {
        type: "boolean",
        help: "exit 3 when changes are pending, 0 when none (a refusal stays 1), for drift checks",
      },
    },
    args: [],
  },
  sync: {
    usage: "sync --user U [--full] [--force] [--json]",
    summary: "one sync of U now",
    options: {
      user,
      full,
      force: { type: "boolean", help: "apply a plan the safety gate refuses" },
      json,
    },
    args: [],
  },
  migrate: {
    usage: "migrate",
    summary: "create the database if missing, apply migrations",
    options: {},
    args: [],
  },
  "user add": {
    usage: "user add U [--expires ISO]",
    summary: "add customer U and create REPOS_ROOT/U with its hooks",
    options: {
      expires: { type: "string", value: "ISO", help: "when the account expires (ISO 8601)" },
    },
    args: ["U"],
  },
  "user ban": {
    usage: "user ban U",
    summary: "refuse U's pushes until unban",
    options: {},
    args: ["U"],
  },
  "user unban": {
    usage: "user unban U",
    summary: "accept U's pushes again",
    options: {},
    args: ["U"],
  },
  "user expire": {
    usage: "user expire U [--at ISO | --never]",
    summary: "set when U's account expires (now, unless told)",
    options: {
      at: { type: "string", value: "ISO", help: "the time (ISO 8601); default now" },
      never: { type: "boolean", help: "clear the expiry" },
    },
    args: ["U"],
  },
  "user list": {
    usage: "user list [--json]",
    summary: "every account: its status, expiry and creation",
    options: { json },
    args: [],
  },
  "user key add": {
    usage: "user key add U KEY",
    summary: "register an SSH public key for U (KEY: the .pub line, or - to read it from stdin)",
    options: {},
    args: ["U", "KEY"],
  },
  "user key remove": {
    usage: "user key remove U FINGERPRINT",
    summary: "remove U's key with this SHA256: fingerprint",
    options: {},
    args: ["U", "FINGERPRINT"],
  },
  "user key list": {
    usage: "user key list U [--json]",
    summary: "U's SSH keys with their fingerprints",
    options: { json },
    args: ["U"],
  },
  "user remote set": {
    usage: "user remote set U URL [--branch B] [--deploy-key | --token-file F]",
    summary: "sync U from a repository elsewhere (https://, ssh:// or user@host:path)",
    options: {
      branch: { type: "string", value: "B", help: "the branch to deploy (default main)" },
      "deploy-key": {
        type: "boolean",
        help: "make an ed25519 key pair; prints the public key to add as a read-only deploy key",
      },
      "token-file": {
        type: "string",
        value: "F",
        help: "a file holding a read-only https token (TOKEN, or USER:TOKEN) for the remote",
      },
    },
    args: ["U", "URL"],
  },
  "user remote show": {
    usage: "user remote show U [--json]",
    summary: "U's remote, webhook URL and deploy key's public half (never a secret)",
    options: { json },
    args: ["U"],
  },
  "user remote clear": {
    usage: "user remote clear U",
    summary: "forget U's remote; U syncs from REPOS_ROOT/U again",
    options: {},
    args: ["U"],
  },
  "user remote secret": {
    usage: "user remote secret U [--rotate]",
    summary: "print the secret U's webhooks are signed with",
    options: {
      rotate: { type: "boolean", help: "make a new secret first (the old one stops working)" },
    },
    args: ["U"],
  },
  "domain assign": {
    usage: "domain assign ZONE U [--zone-id ID]",
    summary: "give U a hosted zone that exists already (shows the first sync's plan)",
    options: {
      "zone-id": {
        type: "string",
        value: "ID",
        help: "the hosted zone, when several are named ZONE",
      },
    },
    args: ["ZONE", "U"],
  },
  "dead list": {
    usage: "dead list [--json]",
    summary: "the jobs given up after their attempts (newest first), with the reason",
    options: { json },
    args: [],
  },
  "dead retry": {
    usage: "dead retry UUID",
    summary: "queue a dead job again and take it off the dead list (one atomic step)",
    options: {},
    args: ["UUID"],
  },
  "domain list": {
    usage: "domain list [--user U] [--json]",
    summary: "the recorded domains, their owners and hosted zones",
    options: { user: { type: "string", value: "U", help: "only this customer's" }, json },
    args: [],
  },
  "domain release": {
    usage: "domain release ZONE",
    summary: "forget a domain's owner; its hosted zone and records stay",
    options: {},
    args: ["ZONE"],
  },
  "install-hooks": {
    usage: "install-hooks",
    summary: "(re)install the hooks into every repository",
    options: {},
    args: [],
  },
  "install-keys": {
    usage: "install-keys",
    summary: "rewrite DNSAPI_AUTHORIZED_KEYS from the active users' keys",
    options: {},
    args: [],
  },
  logs: {
    usage: "logs UUID [--json]",
    summary: "what a push's job did",
    options: { json },
    args: ["UUID"],
  },
  status: {
    usage: "status [--json]",
    summary: "queue depth, running syncs, recent failures",
    options: { json },
    args: [],
  },
  webhooks: {
    usage: "webhooks [--port N]",
    summary: "the webhook receiver: POST /webhooks/<user> from GitHub, GitLab, Gitea, Bitbucket",
    options: {
      port: {
        type: "string",
        value: "N",
        help: "the port to listen on (default DNSAPI_WEBHOOK_PORT, 9898)",
      },
    },
    args: [],
  },
  customer: {
    usage: "customer U COMMAND...",
    summary:
      "a customer's command over the SSH door (help, check, logs, nameservers; U's data only)",
    options: {},
    args: ["U", "COMMAND..."],
  },
  export: {
    usage: "export ZONE [--id HOSTED_ZONE_ID]",
    summary: "a Route 53 zone as a BIND file, for onboarding",
    options: {
      id: {
        type: "string",
        value: "HOSTED_ZONE_ID",
        help: "the hosted zone, when its name is not enough",
      },
    },
    args: ["ZONE"],
  },
} as const satisfies Record<string, CommandSpec>;

/** The name of a command in the table (`run`, `user add`, ...). */
export type CommandName = keyof typeof COMMANDS;

type Spec<K extends CommandName> = (typeof COMMANDS)[K];

type OptionValue<O> = O extends { type: "boolean" } ? boolean
  : O extends { required: true } ? string
  : string | undefined;

/** A command's option values, typed from its table entry. */
export type Values<K extends CommandName> = {
  -readonly [N in keyof Spec<K>["options"]]: OptionValue<Spec<K>["options"][N]>;
};

// A mapped type over a type parameter maps a tuple to a tuple.
type ArgsOf<T extends readonly string[]> = {
  -readonly [I in keyof T]: T[I] extends `${string}...` ? string[] : string;
};

/** A command's positional arguments, one per name (a `NAME...` one is a list). */
export type Args<K extends CommandName> = ArgsOf<Spec<K>["args"]>;

/** A command line read against the table: which command, its options and arguments. */
export interface Invocation<K extends CommandName> {
  name: K;
  values: Values<K>;
  args: Args<K>;
}

/** Any command's invocation; `switch (invocation.name)` narrows it. */
export type AnyInvocation = { [K in CommandName]: Invocation<K> }[CommandName];
