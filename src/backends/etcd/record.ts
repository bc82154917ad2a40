import type { IKeyValue } from "etcd3";
import { BackendUnavailableError } from "../../lease/errors.js";
import { type Lease, makeLease } from "../../lease/lease.js";
import type { KeyLayout } from "./keys.js";

/** What the record key holds. Fields that renew changes live in other keys (see keys.ts). */
export interface StoredRecord {
  readonly id: string;
  readonly principal: string;
  readonly reason?: string | undefined;
  /** When the lease was granted, by the acquiring client's clock (informational). */
  readonly createdMs: number;
}

/** One resource's keys as read back in a range: the record, the expiry stamp, the etcd lease. */
export interface StoredLease {
  readonly resource: string;
  readonly record: StoredRecord;
  readonly expiresMs: number;
  /** The record's create revision: the fence. */
  readonly fence: number;
  /** The etcd lease id the keys are attached to. */
  readonly etcdLease: string;
}

/** Serialises a record; the version field lets a later release change the shape. */
export function encodeRecord(r: StoredRecord): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: 1,
      id: r.id,
      principal: r.principal,
      reason: r.reason ?? null,
      createdMs: r.createdMs,
    }),
  );
}

/** Parses a record value. @throws BackendUnavailableError for a value that is not ours. */
export function decodeRecord(value: Buffer, resource: string): StoredRecord {
  let parsed: {
    v?: unknown;
    id?: unknown;
    principal?: unknown;
    reason?: unknown;
    createdMs?: unknown;
  };
  try {
    parsed = JSON.parse(value.toString("utf8"));
  } catch {
    parsed = {};
  }
  if (
    parsed.v !== 1 ||
    typeof parsed.id !== "string" ||
    typeof parsed.principal !== "string" ||
    typeof parsed.createdMs !== "number"
  ) {
    throw new BackendUnavailableError(
      `etcd record for ${JSON.stringify(resource)} is not a leasehold lease`,
      {
        hint: "another program writes under this prefix; set a prefix of its own in the [backend.NAME] section",
      },
    );
  }
  return {
    id: parsed.id,
    principal: parsed.principal,
    reason: typeof parsed.reason === "string" ? parsed.reason : undefined,
    createdMs: parsed.createdMs,
  };
}

/**
 * Groups the key-values of one or more resources (as a range returns them, sorted) into stored
 * leases. Resources whose record key is missing are skipped.
 */
export function groupStoredLeases(keys: KeyLayout, kvs: readonly IKeyValue[]): StoredLease[] {
  const byResource = new Map<string, { record?: IKeyValue; expiry?: IKeyValue }>();
  for (const kv of kvs) {
    const parsed = keys.parse(kv.key);
    if (!parsed) continue;
    const entry = byResource.get(parsed.resource) ?? {};
    if (parsed.part === "d") entry.record = kv;
    if (parsed.part === "e") entry.expiry = kv;
    byResource.set(parsed.resource, entry);
  }
  const out: StoredLease[] = [];
  for (const [resource, { record, expiry }] of byResource) {
    if (!record) continue;
    out.push({
      resource,
      record: decodeRecord(record.value, resource),
      expiresMs: Number(expiry?.value.toString("utf8") ?? Number.NaN),
      fence: Number(record.create_revision),
      etcdLease: record.lease,
    });
  }
  return out;
}

/**
 * Builds the Lease callers see. `remainingMs` is etcd's own count of time left on the etcd
 * lease (LeaseTimeToLive or the granted TTL), never the client's clock; the stamps are shown
 * as stored so every reader sees the same `expiresAt`.
 */
export function toLease(s: StoredLease, remainingMs: number): Lease {
  const expiresMs = Number.isFinite(s.expiresMs) ? s.expiresMs : s.record.createdMs;
  return makeLease(
    {
      resource: s.resource,
      id: s.record.id,
      principal: s.record.principal,
      reason: s.record.reason,
      createdAt: new Date(s.record.createdMs),
      expiresAt: new Date(expiresMs),
      fence: s.fence,
    },
    // makeLease takes "now" on the backend's clock; this is the instant etcd's count implies.
    expiresMs - Math.max(0, remainingMs),
  );
}
