/**
 * The Lua scripts of the queue protocol (lib/queue.ts explains the protocol). Each
 * script is one atomic step; all read time from Redis (`TIME`) so workers on hosts
 * with skewed clocks agree on leases and ready times.
 *
 * Keys are built inside the scripts from the prefix passed in ARGV[1], so the
 * protocol needs one Redis (not a cluster).
 *
 * @module
 */

import { ENQUEUE_SCRIPT } from "../job/keys.ts";

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Takes over expired leases, then reserves the first ready user (lowest ready time,
 * not locked): locks it with the token, moves its pending uuids (up to the batch
 * limit) behind any left over from a lost reservation, and returns
 * `{user, attempt, uuids, jobJsons}` (`''` for a uuid whose job data is missing), or
 * nil when no user is due.
 *
 * ARGV: prefix, token, leaseMs, maxBatch, scanLimit, workerId.
 */
export const RESERVE = `${NOW}
local p, token, leaseMs = ARGV[1], ARGV[2], tonumber(ARGV[3])
local maxBatch, scanLimit = tonumber(ARGV[4]), tonumber(ARGV[5])
-- A lease whose lock expired belongs to a worker that stopped renewing it (killed, or
-- its sync crashed it): its user goes to the back of the ready set, behind every user
-- already due, with its inflight uuids intact, so a push that kills workers cannot
-- keep itself at the front.
for _, user in ipairs(redis.call('ZRANGEBYSCORE', p .. 'leases', '-inf', now, 'LIMIT', 0, 100)) do
  if redis.call('EXISTS', p .. 'lock:' .. user) == 0 then
    redis.call('ZREM', p .. 'leases', user)
    redis.call('HDEL', p .. 'holders', user)
    redis.call('ZADD', p .. 'ready', now, user)
  end
end
-- Locked users stay in the ready set (a push during a sync re-marks them); at most
-- one per busy worker, so scanning a bounded prefix finds a free one.
for _, user in ipairs(redis.call('ZRANGEBYSCORE', p .. 'ready', '-inf', now, 'LIMIT', 0, scanLimit)) do
  local lock = p .. 'lock:' .. user
  if redis.call('EXISTS', lock) == 0 then
    redis.call('ZREM', p .. 'ready', user)
    local inflight, pending = p .. 'inflight:' .. user, p .. 'pending:' .. user
    local n = redis.call('LLEN', inflight)
    while n < maxBatch do
      if not redis.call('LMOVE', pending, inflight, 'LEFT', 'RIGHT') then break end
      n = n + 1
    end
    if n > 0 then
      redis.call('SET', lock, token, 'PX', leaseMs)
      redis.call('ZADD', p .. 'leases', now + leaseMs, user)
      redis.call('HSET', p .. 'holders', user, ARGV[6] .. ' ' .. now)
      local attempt = redis.call('HINCRBY', p .. 'attempts', user, 1)
      local uuids = redis.call('LRANGE', inflight, 0, -1)
      local jobs = {}
      for i, uuid in ipairs(uuids) do
        local json = redis.call('HGET', p .. 'job:' .. uuid, 'json')
        if json then
          redis.call('HSET', p .. 'job:' .. uuid, 'state', 'running')
          jobs[i] = json
        else
          jobs[i] = ''
        end
      end
      return {user, attempt, uuids, jobs}
    end
  else
    -- A due user held by another worker's sync: its new pushes wait for the lock.
    -- Counted once per lock period (the marker expires with the lock), for metrics.
    local ttl = redis.call('PTTL', lock)
    if ttl < 1 then ttl = 1 end
    if redis.call('SET', p .. 'lockwait:' .. user, '1', 'NX', 'PX', ttl) then
      redis.call('INCR', p .. 'lockwaits')
    end
  end
end
return nil
`;

/** Renews the lock and lease if the token still holds it. ARGV: prefix, user, token, leaseMs. */
export const HEARTBEAT = `${NOW}
local p, user, token = ARGV[1], ARGV[2], ARGV[3]
local lock = p .. 'lock:' .. user
if redis.call('GET', lock) ~= token then return 0 end
redis.call('PEXPIRE', lock, ARGV[4])
redis.call('ZADD', p .. 'leases', now + tonumber(ARGV[4]), user)
return 1
`;

/**
 * Ends a reservation held by the token; returns 0 when the lock was lost.
 * mode `done`/`fail`: forget its uuids (`fail` also pushes ARGV[6..] to the dead list);
 * `retry`: keep them, ready again after ARGV[5] ms; `requeue` (a sync handed back past
 * the shutdown deadline): keep them, the attempt not counted. A user with uuids left is
 * marked ready again at the back of the queue (round-robin): behind every user already
 * due, never in front of them; a wake-up token tells idle workers.
 *
 * ARGV: prefix, user, token, mode, delayMs, dead entries...
 */
export const FINISH = `${NOW}
local p, user, token, mode = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local lock, inflight = p .. 'lock:' .. user, p .. 'inflight:' .. user
if redis.call('GET', lock) ~= token then return 0 end
local uuids = redis.call('LRANGE', inflight, 0, -1)
if mode == 'done' or mode == 'fail' then
  for _, uuid in ipairs(uuids) do redis.call('DEL', p .. 'job:' .. uuid) end
  redis.call('DEL', inflight)
  redis.call('HDEL', p .. 'attempts', user)
  for i = 6, #ARGV do redis.call('LPUSH', p .. 'dead', ARGV[i]) end
  redis.call('LTRIM', p .. 'dead', 0, 9999)
else
  for _, uuid in ipairs(uuids) do redis.call('HSET', p .. 'job:' .. uuid, 'state', 'queued') end
  if mode == 'requeue' then redis.call('HINCRBY', p .. 'attempts', user, -1) end
end
redis.call('DEL', lock)
redis.call('ZREM', p .. 'leases', user)
redis.call('HDEL', p .. 'holders', user)
local readyAt
if mode == 'retry' then
  readyAt = now + tonumber(ARGV[5])
elseif mode == 'requeue' or redis.call('EXISTS', p .. 'pending:' .. user) == 1 then
  readyAt = now
end
if readyAt then
  redis.call('ZADD', p .. 'ready', readyAt, user)
  -- Wakes an idle worker: to take the user now, or to block only until the retry is due.
  redis.call('LPUSH', p .. 'wake', '1')
  redis.call('LTRIM', p .. 'wake', 0, 99)
end
return 1
`;

/**
 * Sets one uuid of a held reservation aside as invalid. ARGV: prefix, user, token,
 * uuid, entry JSON. Returns 0 when the lock was lost.
 */
export const SET_ASIDE = `
local p, user, token, uuid = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('GET', p .. 'lock:' .. user) ~= token then return 0 end
redis.call('LREM', p .. 'inflight:' .. user, 0, uuid)
redis.call('DEL', p .. 'job:' .. uuid)
redis.call('LPUSH', p .. 'invalid', ARGV[5])
redis.call('LTRIM', p .. 'invalid', 0, 9999)
return 1
`;

/**
 * Returns `{type, items}` for the legacy key: up to ARGV[1] payloads, read without
 * removing them (each is removed atomically when admitted or set aside). legacy.ts
 * reads the reply as bytes, so a payload is removed by exactly what was stored.
 * KEYS[1]: the legacy key.
 */
export const PEEK_LEGACY = `
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'set' then return {kind, redis.call('SRANDMEMBER', KEYS[1], ARGV[1])} end
if kind == 'list' then return {kind, redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)} end
return {kind, {}}
`;

/**
 * Removes one raw legacy payload and sets it aside as invalid. KEYS[1]: the legacy
 * key. ARGV: prefix, type, raw, entry JSON. Returns 0 if another worker took it.
 */
export const SET_ASIDE_LEGACY = `
local removed
if ARGV[2] == 'set' then removed = redis.call('SREM', KEYS[1], ARGV[3])
else removed = redis.call('LREM', KEYS[1], 1, ARGV[3]) end
if removed == 0 then return 0 end
redis.call('LPUSH', ARGV[1] .. 'invalid', ARGV[4])
redis.call('LTRIM', ARGV[1] .. 'invalid', 0, 9999)
return 1
`;

/**
 * Counts for `status`: `{readyUsers, dueUsers, queued, running, dead, invalid,
 * legacy, holders}` (holders flat: user, "workerId sinceMs", ...).
 * KEYS[1]: the legacy key. ARGV: prefix.
 */
export const STATS = `${NOW}
local p = ARGV[1]
local users = {}
for _, u in ipairs(redis.call('ZRANGE', p .. 'ready', 0, -1)) do users[u] = true end
for _, u in ipairs(redis.call('ZRANGE', p .. 'leases', 0, -1)) do users[u] = true end
local queued, running = 0, 0
for u in pairs(users) do
  queued = queued + redis.call('LLEN', p .. 'pending:' .. u)
  local n = redis.call('LLEN', p .. 'inflight:' .. u)
  if redis.call('EXISTS', p .. 'lock:' .. u) == 1 then running = running + n
  else queued = queued + n end
end
local kind = redis.call('TYPE', KEYS[1])['ok']
local legacy = 0
if kind == 'set' then legacy = redis.call('SCARD', KEYS[1])
elseif kind == 'list' then legacy = redis.call('LLEN', KEYS[1]) end
return {redis.call('ZCARD', p .. 'ready'), redis.call('ZCOUNT', p .. 'ready', '-inf', now),
  queued, running, redis.call('LLEN', p .. 'dead'), redis.call('LLEN', p .. 'invalid'),
  legacy, redis.call('HGETALL', p .. 'holders')}
`;

/**
 * How long an idle worker may block before something becomes due by itself: ms until
 * the earliest future ready time (a retry's backoff) or lease deadline (a worker that
 * may have died), or -1 when nothing is scheduled. Users due now but locked are left
 * out: their holder's FINISH (or their lease) wakes the workers. ARGV: prefix.
 */
export const NEXT_DUE = `${NOW}
local p = ARGV[1]
local best = -1
local r = redis.call('ZRANGEBYSCORE', p .. 'ready', '(' .. now, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
if r[2] then best = tonumber(r[2]) - now end
local l = redis.call('ZRANGE', p .. 'leases', 0, 0, 'WITHSCORES')
if l[2] then
  local left = math.max(tonumber(l[2]) - now, 0)
  if best < 0 or left < best then best = left end
end
return best
`;

/** A script reply that must be a list of strings, or `undefined` when it is not. */
export function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
}

/**
 * `dead retry`: takes one entry off the dead list and queues its job again, as one step
 * (two operators retrying the same entry queue it once). The enqueue is the hook's own
 * script: the entry, passed last, is taken off ARGV before it runs.
 *
 * ARGV: prefix, uuid, user, job JSON, the dead entry exactly as stored. Returns 1 when
 * queued, 0 when the entry is no longer in the dead list, 2 when the uuid is already
 * queued or running (the entry is left where it is).
 */
export const RETRY_DEAD = `
local entry = table.remove(ARGV)
if redis.call('EXISTS', ARGV[1] .. 'job:' .. ARGV[2]) == 1 then return 2 end
if redis.call('LREM', ARGV[1] .. 'dead', 1, entry) == 0 then return 0 end
${ENQUEUE_SCRIPT}`;
