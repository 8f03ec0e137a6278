/**
 * The receiver's narrow view of the outside world: the registered remotes (MySQL), the
 * delivery ids seen (Redis), and the queue's `enqueue`. Real ones are wired by the
 * `webhooks` command; tests pass small in-memory or real-Redis ones.
 *
 * @module
 */

import type { Job } from "../job/contract.ts";

/** A user's registered remote, as far as the receiver needs it. */
export interface RegisteredRemote {
  /** The deployed branch (`main`): pushes to any other ref are ignored. */
  branch: string;
  /** The webhook secret (HMAC key, or GitLab's token). */
  secret: string;
}

/** Looks up registered remotes. */
export interface WebhookUsers {
  /** The user's remote, or null for an unknown user or one without a remote. */
  remoteOf(user: string): Promise<RegisteredRemote | null>;
}

/** Remembers delivery ids, so that a replayed delivery queues nothing. */
export interface DeliveryLog {
  /**
   * Claims `id` of `provider` for the job `uuid`, atomically. Returns null when the id
   * is new (now claimed), else the uuid it was first claimed for.
   */
  claim(provider: string, id: string, uuid: string): Promise<string | null>;
  /** Forgets the claim of `id` for `uuid` (only that one), whose job could not be queued. */
  release(provider: string, id: string, uuid: string): Promise<void>;
}

/** One line of the receiver's log (printed as JSON lines by the command). */
export interface WebhookLogEntry {
  level: "info" | "warn";
  event: "webhook";
  status: number;
  message: string;
  user?: string;
  provider?: string;
  delivery?: string;
  uuid?: string;
}

/** What the receiver needs. */
export interface ReceiverDeps {
  users: WebhookUsers;
  deliveries: DeliveryLog;
  /** The queue's enqueue (lib/queue.ts `Queue.enqueue`): false if the uuid was queued. */
  enqueue(job: Job): Promise<boolean>;
  /** `REPOS_ROOT`: the job's repo is `REPOS_ROOT/<user>`. */
  reposRoot: string;
  /** `DNSAPI_WEBHOOK_LEGACY`: also take unsigned `POST /<user>` (GitHub, GitBucket, Bitbucket). */
  legacy: boolean;
  log?: (entry: WebhookLogEntry) => void;
  /** Job ids (default `crypto.randomUUID`). */
  newId?: () => string;
  now?: () => Date;
}
