import type { Lease } from "./lease.js";

/**
 * Base of every error leasehold throws on purpose. `code` is stable and maps to one exit status
 * in the CLI; `hint` is the next step for a human, when there is one.
 */
export class LeaseholdError extends Error {
  override name = "LeaseholdError";
  readonly code: string = "internal";
  readonly hint: string | undefined;

  constructor(message: string, options?: { cause?: unknown; hint?: string | undefined }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options?.hint;
  }
}

/** The caller asked for something malformed: bad flag, TTL, name or lease id. Exit status 2. */
export class UsageError extends LeaseholdError {
  override name = "UsageError";
  override readonly code: string = "usage";
}

/** A resource name that cannot be stored (empty, NUL, over 512 bytes). Exit status 2. */
export class InvalidResourceError extends UsageError {
  override name = "InvalidResourceError";
  override readonly code = "invalid-resource";
  constructor(resource: string, why: string) {
    super(`refused resource name ${JSON.stringify(resource.slice(0, 60))}: ${why}`, {
      hint: "resource names are 1 to 512 bytes of UTF-8 without NUL",
    });
  }
}

/** A duration that does not parse or is not positive. Exit status 2. */
export class InvalidDurationError extends UsageError {
  override name = "InvalidDurationError";
  override readonly code = "invalid-duration";
}

/** The configuration is wrong: unreadable file, bad INI, unknown key or backend. Exit status 2. */
export class ConfigError extends UsageError {
  override name = "ConfigError";
  override readonly code = "config";
}

/**
 * The backend could not be reached or refused us: network, authentication, timeout, a server
 * that lacks a needed feature. The outcome of the operation is unknown. Exit status 3.
 */
export class BackendUnavailableError extends LeaseholdError {
  override name = "BackendUnavailableError";
  override readonly code = "backend";
}

/** The resource is held by someone else (also when waiting ran out). Exit status 1. */
export class LeaseHeldError extends LeaseholdError {
  override name = "LeaseHeldError";
  override readonly code = "held";
  constructor(
    message: string,
    readonly holder: Lease | undefined,
    options?: { hint?: string },
  ) {
    super(message, options);
  }
}

/** The given lease is not held: wrong id, released, expired or taken over. Exit status 1. */
export class LeaseNotHeldError extends LeaseholdError {
  override name = "LeaseNotHeldError";
  override readonly code = "not-held";
}

/** Waiting was aborted by the caller (Ctrl-C, AbortSignal). Exit status 130 in the CLI. */
export class AbortedError extends LeaseholdError {
  override name = "AbortedError";
  override readonly code = "aborted";
}

/** A kept lease was lost while work ran under it (renewals failed, or it was broken). */
export class LeaseLostError extends LeaseholdError {
  override name = "LeaseLostError";
  override readonly code = "lost";
}
