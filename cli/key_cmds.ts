/**
 * Customers' SSH keys: `user key add|remove|list U …`, `install-keys`, and the daemon's
 * intake of `NEW:SSHKEY` events.
 *
 * @module
 */
import { sshKeyStore } from "../lib/db.ts";
import { escapeControl } from "../lib/errors.ts";
import { isFingerprint, keyText, readPublicKey, takeKeyEvents } from "../lib/worker.ts";
import { USER_PATTERN } from "../lib/git.ts";
import type { AnyInvocation } from "./commands.ts";
import type { Context } from "./context.ts";
import { keeperOf, rewriteAuthorizedKeys } from "./authorized_keys.ts";
import { installedHookCommand } from "./user_cmds.ts";

/** The invocations of the `user key` group. */
export type KeyInvocation = Extract<AnyInvocation, { name: `user key ${string}` }>;

/** More than any key line; what `-` reads from stdin at most. */
const MAX_STDIN = 65536;

async function readStdin(): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of Deno.stdin.readable) {
    text += decoder.decode(chunk, { stream: true });
    if (text.length > MAX_STDIN) {
      throw new RangeError(`Cannot read the key: stdin holds over ${MAX_STDIN} characters`);
    }
  }
  return text + decoder.decode();
}

async function rewrite(ctx: Context): Promise<void> {
  const line = await rewriteAuthorizedKeys(ctx, await installedHookCommand(ctx.config));
  if (line) ctx.out.stdout(`${line}\n`);
}

/** `user key add U KEY|-`, `user key remove U FINGERPRINT`, `user key list U [--json]`. */
export async function cmdKey(ctx: Context, invocation: KeyInvocation): Promise<number> {
  const [user] = invocation.args;
  if (!USER_PATTERN.test(user)) {
    ctx.out.stderr(`"${escapeControl(user)}" is not a valid user name (${USER_PATTERN.source})\n`);
    return 2;
  }
  const db = await ctx.db();
  const store = sshKeyStore(db);
  switch (invocation.name) {
    case "user key add": {
      const given = invocation.args[1];
      const text = given === "-" ? (await readStdin()).replace(/\r?\n$/, "") : given;
      const read = await readPublicKey(text);
      if ("reason" in read) {
        ctx.out.stderr(`cannot add the key: ${escapeControl(read.reason)}\n`);
        return 1;
      }
      const added = await store.addKey(user, read.key);
      if ("reason" in added) {
        ctx.out.stderr(`cannot add the key: ${added.reason}\n`);
        return 1;
      }
      ctx.out.stdout(`added ${read.key.type} key ${read.key.fingerprint} for ${user}\n`);
      await rewrite(ctx);
      return 0;
    }
    case "user key remove": {
      const fingerprint = invocation.args[1];
      if (!isFingerprint(fingerprint)) {
        ctx.out.stderr(
          `"${escapeControl(fingerprint)}" is not a fingerprint: give SHA256:… as ` +
            "`user key list` or `ssh-keygen -lf KEY.pub` prints it\n",
        );
        return 2;
      }
      if (!await store.removeKey(user, fingerprint)) {
        ctx.out.stderr(`${user} has no key ${fingerprint}; see \`user key list ${user}\`\n`);
        return 1;
      }
      ctx.out.stdout(`removed key ${fingerprint} of ${user}\n`);
      await rewrite(ctx);
      return 0;
    }
    case "user key list": {
      if (!await db.getUser(user)) {
        ctx.out.stderr(`no user ${user}\n`);
        return 1;
      }
      const keys = await store.listKeys(user);
      if (invocation.values.json) {
        const rows = keys.map((k) => ({
          fingerprint: k.fingerprint,
          type: k.type,
          key: keyText(k),
          comment: k.comment,
          addedAt: k.addedAt.toISOString(),
        }));
        ctx.out.stdout(JSON.stringify(rows, null, 2) + "\n");
      } else if (keys.length === 0) {
        ctx.out.stdout(`${user} has no SSH keys\n`);
      } else {
        for (const k of keys) {
          const comment = k.comment ? ` ${escapeControl(k.comment)}` : "";
          ctx.out.stdout(
            `${k.fingerprint} ${k.type}${comment} (added ${k.addedAt.toISOString()})\n`,
          );
        }
      }
      return 0;
    }
  }
}

/** `install-keys`: rewrites DNSAPI_AUTHORIZED_KEYS from MySQL. */
export async function cmdInstallKeys(ctx: Context): Promise<number> {
  const line = await rewriteAuthorizedKeys(ctx, await installedHookCommand(ctx.config));
  if (!line) {
    ctx.out.stderr("DNSAPI_AUTHORIZED_KEYS is not set: there is no authorized_keys to write\n");
    return 2;
  }
  ctx.out.stdout(`${line}\n`);
  return 0;
}

/**
 * The daemon's part: writes the file at start-up, then on each intake tick takes in
 * `NEW:SSHKEY` events and rewrites the file after any change, or when an expiry passed.
 * Without DNSAPI_AUTHORIZED_KEYS the events are still applied to MySQL.
 */
export async function keyIntake(
  ctx: Context,
  log: (entry: Record<string, unknown>) => void,
): Promise<() => Promise<void>> {
  const keeper = await keeperOf(ctx, await installedHookCommand(ctx.config));
  const store = sshKeyStore(await ctx.db());
  if (keeper) {
    const n = await keeper.write();
    log({ level: "info", event: "authorized-keys", path: ctx.config.authorizedKeys, keys: n });
  }
  return async () => {
    const changed = await takeKeyEvents(ctx.redis(), {
      key: ctx.config.newSshKeyKey,
      prefix: ctx.config.keyPrefix,
      store,
      log,
    });
    if (!keeper) return;
    const n = changed > 0 ? await keeper.write() : await keeper.tick();
    if (n !== null) {
      log({ level: "info", event: "authorized-keys", path: ctx.config.authorizedKeys, keys: n });
    }
  };
}
