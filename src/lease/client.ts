import type { Backend } from "../backends/types.js";
import { parseDuration } from "../config/duration.js";
import { type ConfigFile, loadConfigFile } from "../config/ini.js";
import {
  type ResolvedResource,
  type ResourceOverrides,
  resolveResource,
} from "../config/resolve.js";
import { BackendPool, type OpenedBackend } from "./backends.js";
import { AbortedError } from "./errors.js";
import { LeaseKeeper } from "./keeper.js";
import {
  type Held,
  isHeld,
  type Lease,
  MAX_PRINCIPAL_BYTES,
  MAX_REASON_BYTES,
  validateLabel,
  validateResource,
} from "./lease.js";
import { heldError, lostError, validateLeaseId } from "./outcomes.js";
import { withTimeout } from "./timeout.js";

/** How to open a Leasehold: which config file, and a backend that overrides every resource's. */
export interface OpenOptions {
  /** Config file path; otherwise the lookup order of DESIGN.md applies. */
  readonly config?: string | undefined;
  /** Backend name used for every resource, like `--backend`. */
  readonly backend?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** A duration: milliseconds, or text such as `5m`, `1 hour`, `PT30S`. */
export type Duration = number | string;

/** Options of `acquire`. */
export interface AcquireOptions {
  readonly ttl?: Duration | undefined;
  readonly principal?: string | undefined;
  readonly reason?: string | undefined;
  /** Wait for the resource up to this long; `true` waits without limit. */
  readonly wait?: Duration | true | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Called each time the resource is found held while waiting. */
  readonly onWaiting?: ((holder: Lease) => void) | undefined;
}

/**
 * The library's entry point: resolves each resource's settings from the config and talks to
 * its backend. Expected outcomes are return values; failures throw LeaseholdError subclasses.
 * @example
 * const lh = await Leasehold.open();
 * const lease = await lh.acquire("prod-db", { ttl: "30m", reason: "INC-123" });
 * await lh.release("prod-db", lease.id);
 * await lh.close();
 */
export class Leasehold {
  readonly #pool: BackendPool;

  private constructor(
    readonly file: ConfigFile,
    private readonly opts: OpenOptions,
  ) {
    this.#pool = new BackendPool(file, opts.env ?? process.env, opts.cwd ?? process.cwd());
  }

  /**
   * Loads the configuration. Backends are connected lazily, on first use.
   * @throws ConfigError when an explicit config file cannot be read or parsed.
   */
  static async open(opts: OpenOptions = {}): Promise<Leasehold> {
    const file = loadConfigFile({
      explicitPath: opts.config,
      env: opts.env ?? process.env,
      cwd: opts.cwd ?? process.cwd(),
    });
    return new Leasehold(file, opts);
  }

  /** The resource's resolved settings (resource section → [default] → built-ins; overrides win). */
  settings(resource: string, overrides: ResourceOverrides = {}): ResolvedResource {
    validateResource(resource);
    return resolveResource(
      this.file,
      resource,
      { ...overrides, backend: overrides.backend ?? this.opts.backend },
      this.opts.env ?? process.env,
    );
  }

  /** The opened backend serving `resource`. */
  async backendFor(resource: string, backend?: string): Promise<OpenedBackend> {
    return this.#pool.get(this.settings(resource, { backend }).backend);
  }

  /** The backend resources use unless their section says otherwise: --backend, [default], sqlite. */
  defaultBackend(): Promise<OpenedBackend> {
    const s = resolveResource(
      this.file,
      "",
      { backend: this.opts.backend },
      this.opts.env ?? process.env,
    );
    return this.#pool.get(s.backend);
  }

  /** Opens a backend by its configured name (for `list`, `doctor`). */
  openBackend(name: string): Promise<OpenedBackend> {
    return this.#pool.get(name);
  }

  /**
   * Takes the resource once, or returns who holds it.
   * @throws UsageError for a bad name or TTL; BackendUnavailableError when the backend fails.
   */
  async tryAcquire(resource: string, opts: AcquireOptions = {}): Promise<Lease | Held> {
    const s = this.settings(resource, { ttl: opts.ttl, principal: opts.principal });
    validateLabel("principal", s.principal, MAX_PRINCIPAL_BYTES);
    if (opts.reason !== undefined) validateLabel("reason", opts.reason, MAX_REASON_BYTES);
    const b = await this.#pool.get(s.backend);
    return this.#call(b, "acquire", resource, (x) =>
      x.acquire(resource, {
        principal: s.principal,
        ttlMs: s.ttlMs,
        ...(opts.reason ? { reason: opts.reason } : {}),
      }),
    );
  }

  /**
   * Takes the resource, waiting for it when `wait` is given (woken by the backend's pushed
   * notifications where it has them, and at the holder's expiry).
   * @throws LeaseHeldError when held (after waiting, if asked); AbortedError when `signal` aborts.
   */
  async acquire(resource: string, opts: AcquireOptions = {}): Promise<Lease> {
    const waitMs =
      opts.wait === undefined
        ? 0
        : opts.wait === true
          ? Number.POSITIVE_INFINITY
          : toMs(opts.wait, "wait");
    const deadline = Date.now() + waitMs;
    const signal = opts.signal ?? new AbortController().signal;
    for (;;) {
      if (signal.aborted) throw new AbortedError(`stopped waiting for ${resource}`);
      const result = await this.tryAcquire(resource, opts);
      if (!isHeld(result)) return result;
      if (Date.now() >= deadline)
        throw heldError(resource, result.holder, waitMs > 0 ? "--wait" : undefined);
      opts.onWaiting?.(result.holder);
      const b = await this.backendFor(resource);
      await b.backend.waitForChange(resource, deadline, signal);
    }
  }

  /** Ends the lease if `leaseId` still holds it; false when it does not (nothing changes). */
  async release(resource: string, leaseId: string): Promise<boolean> {
    validateLeaseId(leaseId);
    return this.#callFor(resource, "release", (x) => x.release(resource, leaseId));
  }

  /** Extends (or shortens) the lease to `ttl` from now; undefined when it is not held. */
  async renew(
    resource: string,
    leaseId: string,
    opts: { ttl?: Duration | undefined } = {},
  ): Promise<Lease | undefined> {
    validateLeaseId(leaseId);
    const s = this.settings(resource, { ttl: opts.ttl });
    return this.#call(await this.#pool.get(s.backend), "renew", resource, (x) =>
      x.renew(resource, leaseId, s.ttlMs),
    );
  }

  /** The live lease on the resource, if any. */
  async current(resource: string): Promise<Lease | undefined> {
    return this.#callFor(resource, "current", (x) => x.current(resource));
  }

  /** True when `leaseId` holds the resource now. */
  async isHeld(resource: string, leaseId: string): Promise<boolean> {
    validateLeaseId(leaseId);
    return this.#callFor(resource, "is-held", (x) => x.isHeld(resource, leaseId));
  }

  /** Breaks the live lease (only `leaseId`, when given); false when there was none to break. */
  async forceRelease(
    resource: string,
    opts: { leaseId?: string | undefined } = {},
  ): Promise<boolean> {
    if (opts.leaseId !== undefined) validateLeaseId(opts.leaseId);
    return this.#callFor(resource, "force-release", (x) => x.forceRelease(resource, opts.leaseId));
  }

  /**
   * Runs `fn` while holding the resource: acquires (waiting if asked), renews in the background
   * every ttl/3, aborts `signal` the moment the lease counts as lost, and releases afterwards.
   * @throws LeaseHeldError when the resource stays held; LeaseLostError when the lease was lost
   * while `fn` ran (after `fn` settles), so unprotected work never passes silently.
   * @example
   * await lh.withLease("prod-db", { ttl: "5m", wait: "2m" }, async (lease, signal) => {
   *   await migrate({ fence: lease.fence, signal });
   * });
   */
  async withLease<T>(
    resource: string,
    opts: AcquireOptions & { renewEvery?: Duration | undefined },
    fn: (lease: Lease, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const sentAt = performance.now();
    const lease = await this.acquire(resource, opts);
    const s = this.settings(resource, { ttl: opts.ttl });
    const target = {
      renew: (r: string, id: string, ttlMs: number) => this.renew(r, id, { ttl: ttlMs }),
    };
    const keeper = new LeaseKeeper(
      target,
      lease,
      {
        ttlMs: s.ttlMs,
        renewEveryMs:
          opts.renewEvery === undefined ? s.renewEveryMs : toMs(opts.renewEvery, "renewEvery"),
      },
      sentAt,
    );
    try {
      const result = await fn(lease, keeper.signal);
      if (keeper.signal.aborted) throw lostError(resource, keeper.signal.reason);
      return result;
    } finally {
      const lost = keeper.signal.aborted;
      keeper.stop();
      if (!lost) await this.release(resource, keeper.lease.id).catch(() => undefined);
    }
  }

  /**
   * Resolves when the resource is free (takes nothing): at once if it is, else woken by the
   * backend's notifications and at the holder's expiry.
   * @throws LeaseHeldError when `timeout` runs out; AbortedError when `signal` aborts.
   */
  async waitUntilFree(
    resource: string,
    opts: {
      timeout?: Duration | undefined;
      signal?: AbortSignal | undefined;
      onWaiting?: ((holder: Lease) => void) | undefined;
    } = {},
  ): Promise<void> {
    const deadline =
      opts.timeout === undefined
        ? Number.POSITIVE_INFINITY
        : Date.now() + toMs(opts.timeout, "timeout");
    const signal = opts.signal ?? new AbortController().signal;
    const b = await this.backendFor(resource);
    for (;;) {
      if (signal.aborted) throw new AbortedError(`stopped waiting for ${resource}`);
      const holder = await this.current(resource);
      if (!holder) return;
      if (Date.now() >= deadline) throw heldError(resource, holder, "--timeout");
      opts.onWaiting?.(holder);
      await b.backend.waitForChange(resource, deadline, signal);
    }
  }

  /** Closes every backend connection this instance opened. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  async #callFor<T>(resource: string, op: string, fn: (b: Backend) => Promise<T>): Promise<T> {
    return this.#call(await this.backendFor(resource), op, resource, fn);
  }

  #call<T>(
    b: OpenedBackend,
    op: string,
    resource: string,
    fn: (b: Backend) => Promise<T>,
  ): Promise<T> {
    // A little beyond the backend's own timeout, so its clearer message usually wins.
    return withTimeout(fn(b.backend), b.timeoutMs + 1000, `${op} ${resource} on backend ${b.name}`);
  }
}

function toMs(d: Duration, what: string): number {
  return typeof d === "number" ? d : parseDuration(d, what);
}
