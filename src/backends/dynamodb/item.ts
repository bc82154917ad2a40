import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { BackendUnavailableError } from "../../lease/errors.js";
import { type Lease, makeLease } from "../../lease/lease.js";

/** One item per resource, keyed on the resource name itself (a 512-byte name fits DynamoDB's 2048-byte key). */
export const KEY = "resource";

/**
 * How long a lapsed or released item stays before DynamoDB TTL may delete it (attribute
 * `expires`, epoch seconds). Housekeeping only: leasehold never relies on TTL deletion, which
 * AWS runs days late, and a resource's fence survives it (see `FENCE_SEED`).
 */
export const RETENTION_S = 30 * 24 * 3600;

/** The stored state of a resource, decoded. Times are DynamoDB-clock epoch ms. */
export interface LeaseItem {
  readonly resource: string;
  readonly state: "held" | "released";
  readonly id: string;
  readonly principal: string;
  readonly reason: string | undefined;
  readonly createdMs: number;
  readonly expiresMs: number;
  readonly fence: number;
}

/** Names for ExpressionAttributeNames: `state` and others are DynamoDB reserved words. */
export const NAMES = {
  "#r": KEY,
  "#st": "state",
  "#id": "lease_id",
  "#p": "principal",
  "#why": "reason",
  "#c": "created_ms",
  "#e": "expires_ms",
  "#f": "fence",
  "#ttl": "expires",
} as const;

/** The item's key for a resource. */
export function keyOf(resource: string): Record<string, AttributeValue> {
  return { [KEY]: { S: resource } };
}

/** DynamoDB numbers travel as strings. */
export function num(n: number): AttributeValue {
  return { N: String(n) };
}

/** The TTL attribute for a lease that lapses at `expiresMs`. */
export function ttlValue(expiresMs: number): AttributeValue {
  return num(Math.ceil(expiresMs / 1000) + RETENTION_S);
}

/**
 * Decodes an item read or written by leasehold.
 * @throws BackendUnavailableError when the item is not a leasehold record (someone else's table).
 */
export function decodeItem(
  item: Record<string, AttributeValue> | undefined,
  where: string,
): LeaseItem | undefined {
  if (!item) return undefined;
  const s = (k: string) => item[k]?.S;
  const n = (k: string) => (item[k]?.N === undefined ? Number.NaN : Number(item[k]!.N));
  const decoded = {
    resource: s(KEY) ?? "",
    state: s("state"),
    id: s("lease_id") ?? "",
    principal: s("principal") ?? "",
    reason: s("reason"),
    createdMs: n("created_ms"),
    expiresMs: n("expires_ms"),
    fence: n("fence"),
  };
  const ok =
    (decoded.state === "held" || decoded.state === "released") &&
    decoded.id !== "" &&
    Number.isSafeInteger(decoded.createdMs) &&
    Number.isSafeInteger(decoded.expiresMs) &&
    Number.isSafeInteger(decoded.fence);
  if (!ok) {
    throw new BackendUnavailableError(
      `${where}: item ${JSON.stringify(decoded.resource.slice(0, 60))} is not a leasehold lease record`,
      { hint: "another program writes to this table: give leasehold a table of its own" },
    );
  }
  return decoded as LeaseItem;
}

/** The Lease an item describes, with time left measured from `serverNowMs`. */
export function toLease(item: LeaseItem, serverNowMs: number): Lease {
  return makeLease(
    {
      resource: item.resource,
      id: item.id,
      principal: item.principal,
      reason: item.reason,
      createdAt: new Date(item.createdMs),
      expiresAt: new Date(item.expiresMs),
      fence: item.fence,
    },
    serverNowMs,
  );
}
