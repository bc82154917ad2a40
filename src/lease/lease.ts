import { randomBytes, timingSafeEqual } from "node:crypto";
import { InvalidResourceError, UsageError } from "./errors.js";

/** One active hold on a resource. Times come from the backend's clock, never the caller's. */
export interface Lease {
  /** The protected resource's name. */
  readonly resource: string;
  /** Opaque, unguessable id; needed to release or renew. */
  readonly id: string;
  /** Who holds it, e.g. `alice@ci-7`. */
  readonly principal: string;
  /** Free text the holder gave when acquiring. */
  readonly reason?: string;
  /** When the lease was granted (backend clock). */
  readonly createdAt: Date;
  /** When the lease lapses unless renewed (backend clock). */
  readonly expiresAt: Date;
  /** Strictly increasing per resource across every lease ever granted on it. */
  readonly fence: number;
  /** Time left as judged by the backend's clock when this lease was read or written. */
  readonly remainingMs: number;
}

/** What `acquire` returns when someone else holds the resource. */
export interface Held {
  readonly status: "held";
  /** The lease that blocked the request. */
  readonly holder: Lease;
}

/** Narrows an acquire result: true when the resource was held by someone else. */
export function isHeld(result: Lease | Held): result is Held {
  return (result as Held).status === "held";
}

/** The longest accepted resource name, in UTF-8 bytes. */
export const MAX_RESOURCE_BYTES = 512;

/**
 * Refuses names no backend can store faithfully.
 * @throws InvalidResourceError for an empty name, a NUL, or more than 512 UTF-8 bytes.
 */
export function validateResource(resource: string): void {
  if (typeof resource !== "string" || resource.length === 0) {
    throw new InvalidResourceError(resource, "the resource name is empty");
  }
  if (resource.includes("\0")) {
    throw new InvalidResourceError(resource, "the resource name contains a NUL character");
  }
  if (!resource.isWellFormed()) {
    throw new InvalidResourceError(resource, "the resource name is not valid UTF-8");
  }
  const bytes = Buffer.byteLength(resource, "utf8");
  if (bytes > MAX_RESOURCE_BYTES) {
    throw new InvalidResourceError(
      resource,
      `the resource name is ${bytes} bytes; at most ${MAX_RESOURCE_BYTES} are allowed`,
    );
  }
}

/** Longest principal and reason accepted, in UTF-8 bytes. */
export const MAX_PRINCIPAL_BYTES = 256;
export const MAX_REASON_BYTES = 1024;

/**
 * Refuses a principal or reason that would corrupt output others read: control characters
 * (a tab forges a column of `current`, an escape sequence reaches someone's terminal), NUL,
 * malformed UTF-16, or too many bytes.
 * @throws UsageError naming which field was wrong.
 */
export function validateLabel(what: "principal" | "reason", value: string, maxBytes: number): void {
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new UsageError(`the ${what} contains a control character (tab, newline, escape, NUL…)`, {
      hint: `write the ${what} as plain text on one line`,
    });
  }
  if (!value.isWellFormed()) throw new UsageError(`the ${what} is not valid UTF-8`);
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > maxBytes) {
    throw new UsageError(`the ${what} is ${bytes} bytes; at most ${maxBytes} are allowed`);
  }
}

/**
 * A fresh lease id: 144 random bits, URL-safe base64 (24 characters), never starting with `-`
 * (1 id in 64 would, and a command line would read it as a flag: `is-held r -x…`).
 */
export function newLeaseId(): string {
  for (;;) {
    const id = randomBytes(18).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/**
 * Compares a stored lease id with one a caller presented, in time that does not depend on where
 * they differ, so response timing cannot be used to guess a live id.
 */
export function sameLeaseId(stored: string | null | undefined, presented: string): boolean {
  if (typeof stored !== "string") return false;
  const a = Buffer.from(stored, "utf8");
  const b = Buffer.from(presented, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The longest lease id any backend is asked to look up; longer ones cannot be ours. */
export const MAX_LEASE_ID_LENGTH = 256;

/** Builds a Lease from stored fields, computing `remainingMs` from the backend's own `now`. */
export function makeLease(
  fields: Omit<Lease, "remainingMs" | "reason"> & { reason?: string | null | undefined },
  backendNowMs: number,
): Lease {
  const { reason, ...rest } = fields;
  const lease: Lease = {
    ...rest,
    remainingMs: Math.max(0, fields.expiresAt.getTime() - backendNowMs),
  };
  return reason ? { ...lease, reason } : lease;
}

/** The JSON shape printed by `--json` and kept stable for scripts. */
export function leaseToJson(lease: Lease): Record<string, unknown> {
  return {
    resource: lease.resource,
    id: lease.id,
    principal: lease.principal,
    reason: lease.reason ?? null,
    createdAt: lease.createdAt.toISOString(),
    expiresAt: lease.expiresAt.toISOString(),
    fence: lease.fence,
  };
}
