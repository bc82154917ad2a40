import type { Held, Lease } from "../lease/lease.js";

/** What a caller asks for when acquiring. */
export interface AcquireRequest {
  readonly principal: string;
  readonly reason?: string;
  /** Lease duration in milliseconds, judged by the backend's clock. */
  readonly ttlMs: number;
}

/**
 * The contract every backend keeps (DESIGN.md, "Backend contract"). Each method is one atomic
 * server-side step. Expected outcomes are return values; failures throw
 * `BackendUnavailableError` (unreachable, auth, timeout) and never masquerade as "held".
 * Callers validate resource names and durations before calling.
 */
export interface Backend {
  /** Backend kind, e.g. `sqlite`. */
  readonly kind: string;
  /** Takes the resource if it is free, released or expired; otherwise returns who holds it. */
  acquire(resource: string, req: AcquireRequest): Promise<Lease | Held>;
  /** Ends the lease if `leaseId` still holds it; false otherwise (nothing changes). */
  release(resource: string, leaseId: string): Promise<boolean>;
  /** Sets the lease to expire `ttlMs` from now (longer or shorter); undefined if not held. */
  renew(resource: string, leaseId: string, ttlMs: number): Promise<Lease | undefined>;
  /** The live lease on the resource, if any. */
  current(resource: string): Promise<Lease | undefined>;
  /** True when `leaseId` holds the resource now. One round trip. */
  isHeld(resource: string, leaseId: string): Promise<boolean>;
  /** Live leases whose resource starts with `prefix`, in any order. */
  list(prefix?: string): AsyncIterable<Lease>;
  /** Ends the live lease (only `onlyLeaseId`, when given) whoever holds it; false if none. */
  forceRelease(resource: string, onlyLeaseId?: string): Promise<boolean>;
  /**
   * Resolves when the resource may have become free: its lease was released or expired, or
   * `untilMs` (epoch ms, caller's clock: a wait deadline, not an expiry) passed, or `signal`
   * aborted. May resolve early; callers re-try acquire and call again.
   */
  waitForChange(resource: string, untilMs: number, signal: AbortSignal): Promise<void>;
  /** Backend-specific health checks for `leasehold doctor`. */
  doctor?(): Promise<DoctorCheck[]>;
  /** Closes connections without waiting on timers. */
  close(): Promise<void>;
}

/** One line of `leasehold doctor` output. */
export interface DoctorCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** How to fix it, when not ok. */
  readonly fix?: string;
}

/** The value kinds an option may have; all arrive from INI as strings. */
export type OptionType = "string" | "integer" | "boolean" | "duration" | "list" | "path";

/** One configurable option of a backend. This single table drives validation, doctor and docs. */
export interface OptionSpec {
  readonly name: string;
  readonly type: OptionType;
  readonly description: string;
  readonly default?: string;
  /** Environment variable read when the option is not set in the file. */
  readonly env?: string;
  /** Masked in doctor output and never logged. */
  readonly secret?: boolean;
}

/** Parsed option values: strings, numbers (durations in ms), booleans, string lists. */
export type OptionValues = Readonly<
  Record<string, string | number | boolean | string[] | undefined>
>;

/** What the registry hands to a backend module's `create`. */
export interface BackendContext {
  /** The configured name, e.g. `redis` or `redis-eu` for `[backend.redis-eu] type = redis`. */
  readonly name: string;
  /** Validated options, defaults applied. */
  readonly options: OptionValues;
  /** Upper bound for any one operation, in ms (option `timeout`, default 10 s). */
  readonly timeoutMs: number;
  /** The environment the caller gave (`Leasehold.open({ env })`); process.env when absent. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The shape of a backend module, built in or a plugin loaded by path or package name. */
export interface BackendModule {
  /** Options this backend accepts besides the common `type` and `timeout`. */
  readonly options: readonly OptionSpec[];
  create(ctx: BackendContext): Promise<Backend>;
}
