import { type Lease, makeLease } from "../../lease/lease.js";

/**
 * Margin added to every expiry for S3's whole-second timestamps: `Last-Modified` is the write
 * time rounded down, so the write happened up to 1 s after it. Judging expiry as
 * Last-Modified + ttl + 1 s means no client ever takes a lease before `ttl` has passed since it
 * was really written.
 */
export const SKEW_MARGIN_MS = 1000;

/** The JSON body of a resource's object. One per resource, rewritten by every change. */
export interface StoredRecord {
  /** Format version, so a later leasehold can read (or refuse) older bodies. */
  readonly v: 1;
  /** The resource name, for people browsing the bucket; the key is authoritative. */
  readonly resource: string;
  readonly state: "held" | "released";
  readonly id: string;
  readonly principal: string;
  readonly reason?: string;
  readonly ttlMs: number;
  /** Fencing counter; carried through releases so it never goes back. */
  readonly fence: number;
  /**
   * When the lease was first granted (server time, ISO-8601). Absent on the write that granted
   * it, because no server time is known before that write: its Last-Modified is the grant time.
   * Renewals copy it forward.
   */
  readonly createdAt?: string;
  /**
   * Random per write: after an unknown outcome (5xx, lost reply) a re-read tells whether it
   * landed. It also makes every body unique, so an ETag (an MD5 of the body on most servers)
   * never comes back after a change and If-Match cannot be fooled by an A→B→A sequence.
   */
  readonly writeId: string;
}

/** What a GET saw: the record (if the object exists), its ETag and the server's clock. */
export interface Snapshot {
  readonly record: StoredRecord | undefined;
  readonly etag: string | undefined;
  /** Last-Modified of the object, epoch ms (whole seconds). */
  readonly lastModifiedMs: number;
  /** The response's `Date` header, epoch ms: the server's "now". */
  readonly serverNowMs: number;
}

/** Serialises a record for PutObject (a string: streams break RGW's checksum handling). */
export function encodeRecord(record: StoredRecord): string {
  return JSON.stringify(record);
}

/** Parses an object body; undefined when it is not a leasehold record. */
export function decodeRecord(text: string): StoredRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = value as Partial<StoredRecord> | null;
  const ok =
    r !== null &&
    typeof r === "object" &&
    r.v === 1 &&
    (r.state === "held" || r.state === "released") &&
    typeof r.id === "string" &&
    typeof r.principal === "string" &&
    typeof r.writeId === "string" &&
    Number.isSafeInteger(r.ttlMs) &&
    Number.isSafeInteger(r.fence) &&
    (r.reason === undefined || typeof r.reason === "string") &&
    (r.createdAt === undefined || !Number.isNaN(Date.parse(r.createdAt)));
  return ok ? (r as StoredRecord) : undefined;
}

/** When the lease in `snap` lapses by the server's clock. */
export function expiresAtMs(record: StoredRecord, lastModifiedMs: number): number {
  return lastModifiedMs + record.ttlMs + SKEW_MARGIN_MS;
}

/** The lease a snapshot shows as held right now by the server's clock, if any. */
export function liveLease(resource: string, snap: Snapshot): Lease | undefined {
  const { record } = snap;
  if (record?.state !== "held") return undefined;
  if (snap.serverNowMs >= expiresAtMs(record, snap.lastModifiedMs)) return undefined;
  return toLease(resource, record, snap.lastModifiedMs, snap.serverNowMs);
}

/**
 * Builds the Lease for `record` written at `writtenAtMs` (its Last-Modified, or the best server
 * estimate of it), with time left measured from `serverNowMs`.
 */
export function toLease(
  resource: string,
  record: StoredRecord,
  writtenAtMs: number,
  serverNowMs: number,
): Lease {
  return makeLease(
    {
      resource,
      id: record.id,
      principal: record.principal,
      reason: record.reason,
      createdAt: new Date(record.createdAt ?? writtenAtMs),
      expiresAt: new Date(expiresAtMs(record, writtenAtMs)),
      fence: record.fence,
    },
    serverNowMs,
  );
}
