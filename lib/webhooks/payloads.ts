/**
 * What a push payload says about the registered branch: push events of GitHub, GitLab
 * and Gitea/Forgejo name one `ref` and its new commit `after`; Bitbucket Cloud lists
 * `push.changes[]`, each with the `new` state of a branch or tag (`null` when deleted).
 * Pure; the payload's repository URLs are not read at all.
 *
 * @example
 * ```ts
 * import { readPush } from "./payloads.ts";
 * readPush("github", { ref: "refs/heads/main", after: "a".repeat(40) }, "main");
 * // { kind: "queue", ref: "refs/heads/main", after: "aaaa…" }
 * ```
 *
 * @module
 */

import { z } from "zod";
import type { Provider } from "./providers.ts";

/** What to do with a push. */
export type PushDecision =
  | { kind: "queue"; ref: string; after?: string }
  | { kind: "ignore"; why: string }
  | { kind: "invalid"; why: string };

const ZERO = /^0+$/;
const sha = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "must be a commit id");
const ref = z.string().min(1).max(1024);

const RefPush = z.object({
  ref,
  // A deleted branch has no commit: GitHub sends `deleted`, all of them zeros.
  after: sha.optional(),
  deleted: z.boolean().optional(),
});

const BitbucketState = z.object({ type: z.string(), name: ref, target: z.object({ hash: sha }) });
const BitbucketPush = z.object({
  push: z.object({
    changes: z.array(z.object({
      new: BitbucketState.nullable().optional(),
      old: z.object({ type: z.string(), name: ref }).nullable().optional(),
    })),
  }),
});

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
}

function decideRef(refName: string, after: string | undefined, deleted: boolean, branch: string) {
  const wanted = `refs/heads/${branch}`;
  if (refName.startsWith("refs/tags/")) {
    return { kind: "ignore", why: `tag ${refName.slice(10)} is not the branch ${branch}` } as const;
  }
  if (refName !== wanted) {
    return { kind: "ignore", why: `${refName} is not the registered branch ${branch}` } as const;
  }
  if (deleted || after === undefined || ZERO.test(after)) {
    return { kind: "ignore", why: `branch ${branch} was deleted` } as const;
  }
  return { kind: "queue", ref: refName, after } as const;
}

function readBitbucket(value: unknown, branch: string): PushDecision {
  const parsed = BitbucketPush.safeParse(value);
  if (!parsed.success) return { kind: "invalid", why: describe(parsed.error) };
  const changes = parsed.data.push.changes;
  const pushed = changes.find((c) => c.new?.type === "branch" && c.new.name === branch);
  if (pushed?.new) {
    return { kind: "queue", ref: `refs/heads/${branch}`, after: pushed.new.target.hash };
  }
  if (changes.some((c) => !c.new && c.old?.type === "branch" && c.old.name === branch)) {
    return { kind: "ignore", why: `branch ${branch} was deleted` };
  }
  const names = changes.map((c) => c.new ?? c.old).filter((s) => s !== null && s !== undefined);
  if (names.length > 0 && names.every((s) => s.type === "tag")) {
    return { kind: "ignore", why: `a tag push is not the branch ${branch}` };
  }
  const others = names.map((s) => s.name).join(", ") || "no branch";
  return { kind: "ignore", why: `${others} is not the registered branch ${branch}` };
}

/**
 * Decides a push payload (already JSON-decoded) of `provider` against the registered
 * `branch`: queue it (with the ref and the new commit), ignore it (why), or refuse it as
 * not the provider's push JSON.
 */
export function readPush(provider: Provider, value: unknown, branch: string): PushDecision {
  if (provider === "bitbucket") return readBitbucket(value, branch);
  const parsed = RefPush.safeParse(value);
  if (!parsed.success) return { kind: "invalid", why: describe(parsed.error) };
  const { ref: refName, after, deleted } = parsed.data;
  return decideRef(refName, after, deleted === true, branch);
}
