/**
 * One long-lived `git cat-file --batch-command --follow-symlinks` for every question a
 * sync asks git's object store — which commit a name resolves to, a tree's entries, a
 * path followed through in-tree symlinks, a blob's bytes — each a line written and an
 * answer read, instead of a git process per question.
 *
 * The process runs under lib/git/run.ts's policy (cleared environment and config, no
 * hooks or replace refs) and is killed at its time limit; a name holding a line feed
 * cannot be asked on one line and is refused before it is written.
 *
 * @module
 */

import { concatBytes } from "../util/bytes.ts";
import { gitCommand, GitError, type GitOptions } from "./run.ts";

/**
 * git's answer to one name. `object` when it names one; `missing` when nothing (or
 * more than one object) answers to it; for `<commit>:<path>` names whose path runs
 * through a symlink: `symlink` (the link leads out of the tree, to `target`),
 * `dangling` (to nothing), `loop`, or `notdir` (through a file as if a directory).
 */
export type ObjectAnswer =
  | { kind: "object"; oid: string; type: string; size: number }
  | { kind: "missing" }
  | { kind: "symlink" | "dangling" | "loop" | "notdir"; target: Uint8Array };

/** A blob or tree read by {@linkcode ObjectBatch.contents}. */
export interface ObjectContents {
  oid: string;
  type: string;
  bytes: Uint8Array;
}

/** An open `cat-file --batch-command`; questions are answered in the order asked. */
export interface ObjectBatch {
  /** What each name resolves to, asked all at once (one write, answers read in turn). */
  info(names: readonly string[]): Promise<ObjectAnswer[]>;
  /**
   * The object a name resolves to with its bytes, or null when it names none. An
   * object larger than `maxBytes` is not read: the process is ended (its answer cannot
   * be skipped unread) and a RangeError thrown; later questions fail.
   */
  contents(name: string, maxBytes?: number): Promise<ObjectContents | null>;
  /** Ends the process; waits for it. Safe to call twice. */
  close(): Promise<void>;
}

const latin1 = new TextDecoder("latin1");
const encoder = new TextEncoder();

/** Reads lines and counted bytes from a stream, buffering what comes early. */
function bytesOf(stream: ReadableStream<Uint8Array>, ended: () => Promise<Error>) {
  const reader = stream.getReader();
  let buffer: Uint8Array = new Uint8Array(0);
  const more = async (): Promise<Uint8Array> => {
    const { done, value } = await reader.read();
    if (done) throw await ended();
    return value;
  };
  return {
    async line(): Promise<Uint8Array> {
      let from = 0;
      for (;;) {
        const eol = buffer.indexOf(0x0a, from);
        if (eol >= 0) {
          const line = buffer.subarray(0, eol);
          buffer = buffer.subarray(eol + 1);
          return line;
        }
        from = buffer.length;
        buffer = concatBytes([buffer, await more()]);
      }
    },
    async take(n: number): Promise<Uint8Array> {
      const parts: Uint8Array[] = [buffer];
      let have = buffer.length;
      while (have < n) {
        const chunk = await more();
        parts.push(chunk);
        have += chunk.length;
      }
      const all = parts.length === 1 ? buffer : concatBytes(parts);
      buffer = all.subarray(n);
      return all.slice(0, n);
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

/**
 * Starts `git cat-file --batch-command --follow-symlinks` in `gitDir` (a working copy
 * or a bare repository). Close it when done. A question git has not answered within
 * `opts.timeoutMs` (default 60 s) kills it; time between questions does not count, as
 * a sync may spend minutes on Route 53 between two reads.
 *
 * @example
 * ```ts
 * const batch = openObjectBatch("/git/steve");
 * try {
 *   const [head] = await batch.info(["refs/remotes/origin/main^{commit}"]);
 * } finally {
 *   await batch.close();
 * }
 * ```
 */
export function openObjectBatch(gitDir: string, opts: GitOptions = {}): ObjectBatch {
  const args = ["-C", gitDir, "cat-file", "--batch-command", "--follow-symlinks"];
  const child = gitCommand(args, opts, true).spawn();
  // Why the process was ended; once set, every later question fails with it, since
  // what git wrote before it died may still sit unread in the pipe.
  let failure: string | null = null;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const end = (why: string) => {
    failure ??= why;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  };
  const kill = () => end(`did not answer within ${timeoutMs} ms`);
  const errTail: Uint8Array[] = [];
  const errDone = (async () => {
    for await (const chunk of child.stderr) {
      errTail.push(chunk);
      if (errTail.length > 8) errTail.shift();
    }
  })().catch(() => {});
  const ended = async () => {
    // What git said on its way out explains the end better than the end itself.
    const status = await child.status;
    await errDone;
    const stderr = latin1.decode(concatBytes(errTail)).trim();
    const why = failure ?? `exited (code ${status.code}) before answering`;
    return new GitError(
      `Cannot read git objects: git cat-file ${why}${stderr ? `: ${stderr}` : ""}`,
      args.slice(2),
      null,
      stderr,
    );
  };
  const out = bytesOf(child.stdout, ended);
  const writer = child.stdin.getWriter();
  let closed = false;
  // One question at a time: answers come back in the order the questions were written.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(async () => {
      if (failure !== null) throw await ended();
      timer = setTimeout(kill, timeoutMs);
      try {
        return await work();
      } finally {
        clearTimeout(timer);
      }
    });
    turn = run.catch(() => {});
    return run;
  };
  const ask = (lines: string[]): Promise<void> => {
    // Not awaited before reading: git may block writing answers until they are read.
    return writer.write(encoder.encode(lines.join(""))).catch(() => {
      // git exited; reading its answers reports why.
    });
  };
  const answer = async (): Promise<ObjectAnswer> => {
    const header = latin1.decode(await out.line());
    const object = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(header);
    if (object) {
      return { kind: "object", oid: object[1]!, type: object[2]!, size: Number(object[3]) };
    }
    const named = /^(symlink|dangling|loop|notdir) (\d+)$/.exec(header);
    if (named) {
      const target = await out.take(Number(named[2]));
      await out.take(1); // the line feed after the name
      return { kind: named[1] as "symlink" | "dangling" | "loop" | "notdir", target };
    }
    if (/ (missing|ambiguous)$/.test(header)) return { kind: "missing" };
    // Out of step with git: no later answer could be trusted either.
    end(`answered out of step (${header.slice(0, 80)})`);
    throw new GitError(`Cannot read git cat-file output: ${header}`, args.slice(2), 0, "");
  };
  const open = () => {
    if (closed) throw new Error("Cannot ask git: the object batch is closed");
  };
  const checked = (name: string): string => {
    if (name.includes("\n")) {
      throw new TypeError(`Cannot ask git about ${JSON.stringify(name)}: it holds a line feed`);
    }
    return name;
  };
  return {
    info(names) {
      open();
      const lines = names.map((n) => `info ${checked(n)}\n`);
      return inTurn(async () => {
        if (lines.length === 0) return [];
        const written = ask(lines);
        const answers: ObjectAnswer[] = [];
        for (let i = 0; i < lines.length; i++) answers.push(await answer());
        await written;
        return answers;
      });
    },
    contents(name, maxBytes = Infinity) {
      open();
      const line = `contents ${checked(name)}\n`;
      return inTurn(async () => {
        const written = ask([line]);
        const found = await answer();
        let result: ObjectContents | null = null;
        if (found.kind === "object" && found.size > maxBytes) {
          end(`was ended: ${name} is ${found.size} bytes, over ${maxBytes}`);
          throw new RangeError(
            `Cannot read ${found.type} ${found.oid}: ${found.size} bytes, over the limit of ${maxBytes}`,
          );
        }
        if (found.kind === "object") {
          const bytes = await out.take(found.size);
          await out.take(1); // the line feed after the content
          result = { oid: found.oid, type: found.type, bytes };
        }
        await written;
        return result;
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await turn;
      await writer.close().catch(() => {});
      // git ends once its input does; should it hang, the time limit still applies.
      timer = setTimeout(kill, timeoutMs);
      await child.status;
      clearTimeout(timer);
      await out.cancel();
      await errDone;
    },
  };
}

/** Runs `work` with an {@linkcode ObjectBatch} on `gitDir`, closed afterwards. */
export async function withObjectBatch<T>(
  gitDir: string,
  opts: GitOptions,
  work: (batch: ObjectBatch) => Promise<T>,
): Promise<T> {
  const batch = openObjectBatch(gitDir, opts);
  try {
    return await work(batch);
  } finally {
    await batch.close();
  }
}
