import type { Cluster, Redis } from "ioredis";
import { type Lease, makeLease } from "../../lease/lease.js";

/**
 * The Lua scripts. Each write is one script, so it runs atomically on the server; times come
 * from Redis (`TIME`, `PEXPIREAT`, `PTTL`), never from the client. ioredis' `defineCommand`
 * sends EVALSHA and falls back to EVAL when the server answers NOSCRIPT.
 *
 * A lease is a hash {resource, id, principal, reason, created, expires, fence} whose key expires
 * at `expires` (ms, Redis clock). Scripts reply with a lease as an array of those seven strings
 * followed by the key's PTTL, or nil when there is no live lease.
 */

/** Shared Lua helpers: the server's time in ms, and the live lease on a key as a reply. */
const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function ms(n)
  -- %.0f, because Lua 5.1's default number format would print 13-digit times as 1.7e+12
  return string.format('%.0f', n)
end
local function lease(key)
  local f = redis.call('HMGET', key, 'resource', 'id', 'principal', 'reason', 'created', 'expires', 'fence')
  if not f[2] then return nil end
  f[8] = redis.call('PTTL', key)
  return f
end
`;

/**
 * KEYS lease, fence; ARGV id, principal, reason, ttlMs, resource.
 * Reply {1, lease...} when granted, {0, holder...} when someone holds it.
 */
const ACQUIRE = `${PRELUDE}
local holder = lease(KEYS[1])
if holder then return {0, unpack(holder)} end
-- Free, released or expired (Redis no longer sees an expired key): the next fence, then the lease.
local fence = redis.call('INCR', KEYS[2])
local now = now_ms()
local expires = now + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'resource', ARGV[5], 'id', ARGV[1], 'principal', ARGV[2], 'reason', ARGV[3],
  'created', ms(now), 'expires', ms(expires), 'fence', fence)
-- PEXPIREAT with the stored time, so the key's expiry and the 'expires' field agree exactly.
redis.call('PEXPIREAT', KEYS[1], ms(expires))
return {1, unpack(lease(KEYS[1]))}
`;

/** KEYS lease; ARGV id, ttlMs, channel. Reply: the renewed lease, or nil when `id` does not hold it. */
const RENEW = `${PRELUDE}
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return nil end
local old = tonumber(redis.call('HGET', KEYS[1], 'expires'))
local expires = now_ms() + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'expires', ms(expires))
redis.call('PEXPIREAT', KEYS[1], ms(expires))
-- Waiters sleep until the old expiry; when it moved earlier, tell them to look again.
if expires < old then redis.call('PUBLISH', ARGV[3], 'shortened') end
return lease(KEYS[1])
`;

/** KEYS lease; ARGV id, channel. Reply 1 when `id` held the lease and it is gone now, else 0. */
const RELEASE = `
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[2], 'released')
return 1
`;

/** KEYS lease; ARGV channel, mode ('any' | 'only'), id. Reply 1 when a live lease was broken. */
const FORCE_RELEASE = `
local id = redis.call('HGET', KEYS[1], 'id')
if not id or (ARGV[2] == 'only' and id ~= ARGV[3]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[1], 'released')
return 1
`;

/** KEYS lease. Reply: the live lease or nil. A script so fields and PTTL are read at one instant. */
const READ = `${PRELUDE}
return lease(KEYS[1])
`;

/** A raw lease reply: seven strings and the PTTL. */
type LeaseReply = [string, string, string, string, string, string, string, number];

/** The scripted commands `defineCommand` adds to a client. */
interface ScriptedClient {
  leaseholdAcquire(
    lease: string,
    fence: string,
    id: string,
    principal: string,
    reason: string,
    ttlMs: number,
    resource: string,
  ): Promise<[0 | 1, ...LeaseReply]>;
  leaseholdRenew(
    lease: string,
    id: string,
    ttlMs: number,
    channel: string,
  ): Promise<LeaseReply | null>;
  leaseholdRelease(lease: string, id: string, channel: string): Promise<0 | 1>;
  leaseholdForceRelease(
    lease: string,
    channel: string,
    mode: "any" | "only",
    id: string,
  ): Promise<0 | 1>;
  leaseholdRead(lease: string): Promise<LeaseReply | null>;
}

/** Registers the scripts on a client (standalone, Sentinel or Cluster) and returns it typed. */
export function defineScripts(client: Redis | Cluster): ScriptedClient {
  client.defineCommand("leaseholdAcquire", { numberOfKeys: 2, lua: ACQUIRE });
  client.defineCommand("leaseholdRenew", { numberOfKeys: 1, lua: RENEW });
  client.defineCommand("leaseholdRelease", { numberOfKeys: 1, lua: RELEASE });
  client.defineCommand("leaseholdForceRelease", { numberOfKeys: 1, lua: FORCE_RELEASE });
  client.defineCommand("leaseholdRead", { numberOfKeys: 1, lua: READ });
  return client as unknown as ScriptedClient;
}

/**
 * Turns a lease reply into a Lease. `remainingMs` is the key's PTTL as Redis measured it, and
 * the backend's "now" is derived from it, so no client clock is involved.
 */
export function toLease(reply: LeaseReply): Lease {
  const [resource, id, principal, reason, created, expires, fence, pttl] = reply;
  const expiresMs = Number(expires);
  return makeLease(
    {
      resource,
      id,
      principal,
      reason: reason === "" ? undefined : reason,
      createdAt: new Date(Number(created)),
      expiresAt: new Date(expiresMs),
      fence: Number(fence),
    },
    expiresMs - Math.max(0, pttl),
  );
}

export type { LeaseReply, ScriptedClient };
