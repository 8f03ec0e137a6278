/**
 * NEW:USER events, as the original service's signup flow sent them: a Redis list or
 * set (default key `NEW:USER`, no prefix) of `{"user": "name"}` payloads (a bare name is
 * accepted too). Each event creates the user in MySQL and the bare repository with its
 * hooks, exactly as `user add` does.
 *
 * @module
 */
import { USER_PATTERN } from "../job/contract.ts";
import { messageOf } from "../util/message.ts";

/** What reading the key needs: ioredis has all of these. */
export interface NewUserRedis {
  type(key: string): Promise<string>;
  lpop(key: string): Promise<string | null>;
  spop(key: string): Promise<string | null>;
}

/** One event's user name, or why the payload was refused. */
export function parseNewUserEvent(raw: string): { user: string } | { reason: string } {
  let user: unknown = raw.trim();
  if (raw.trim().startsWith("{")) {
    try {
      const value: unknown = JSON.parse(raw);
      user = typeof value === "object" && value !== null && "user" in value
        ? value.user
        : undefined;
    } catch {
      return { reason: "not valid JSON" };
    }
  }
  if (typeof user !== "string") return { reason: 'no "user" string' };
  if (!USER_PATTERN.test(user)) return { reason: `"${user}" is not a valid user name` };
  return { user };
}

/**
 * Takes up to `limit` events off `key` (list or set) and hands each user to `create`.
 * A refused payload or a failed creation is reported through `report` and dropped:
 * the operator can repeat it with `user add`.
 */
export async function takeNewUsers(
  redis: NewUserRedis,
  key: string,
  create: (user: string) => Promise<void>,
  report: (message: string) => void,
  limit = 20,
): Promise<number> {
  const kind = await redis.type(key);
  if (kind !== "list" && kind !== "set") return 0;
  let created = 0;
  for (let i = 0; i < limit; i++) {
    const raw = kind === "list" ? await redis.lpop(key) : await redis.spop(key);
    if (raw === null) break;
    const event = parseNewUserEvent(raw);
    if ("reason" in event) {
      report(`${key} event refused (${event.reason}): ${raw.slice(0, 200)}`);
      continue;
    }
    try {
      await create(event.user);
      created++;
    } catch (error) {
      report(
        `${key}: cannot create ${event.user}: ${messageOf(error)}; ` +
          `run \`user add ${event.user}\``,
      );
    }
  }
  return created;
}
