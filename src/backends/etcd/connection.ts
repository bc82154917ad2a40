import { readFileSync } from "node:fs";
import type { CallOptions } from "@grpc/grpc-js";
import { Etcd3, type IOptions } from "etcd3";
import { ConfigError } from "../../lease/errors.js";
import { sleep } from "../poll.js";
import { type ErrorScope, isRetryable, translateEtcdError } from "./errors.js";
import { closeChannelsNow, MemberHealth, memberError, runOnce } from "./members.js";

/** Settings the connection needs, already validated from `[backend.NAME]`. */
export interface ConnectionSettings {
  readonly name: string;
  readonly endpoints: readonly string[];
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  /** Bound on one whole operation, retries included (the common `timeout`). */
  readonly timeoutMs: number;
  /** Bound on one RPC attempt against one member. */
  readonly commandTimeoutMs: number;
  /** Extra time granted to attempts made before this client has ever reached the cluster. */
  readonly dialTimeoutMs: number;
}

/** Pause before retrying on another member: long enough for a new leader, short against the timeout. */
const RETRY_PAUSE_MS = 100;

/**
 * One etcd3 client with every call bounded: each attempt by `command_timeout` (plus
 * `dial_timeout` until the first success) and the whole operation by `timeout`, retrying on
 * another member while time remains. Errors leave through `translateEtcdError` only.
 */
export class EtcdConnection {
  readonly client: Etcd3;
  readonly scope: ErrorScope;
  readonly #s: ConnectionSettings;
  #reached = false;

  constructor(settings: ConnectionSettings) {
    this.#s = settings;
    this.scope = { name: settings.name, endpoints: settings.endpoints };
    this.client = new Etcd3(clientOptions(settings));
  }

  /**
   * Runs one RPC (`fn` receives the per-attempt call options to pass on), retrying on
   * unavailable/timed-out members until `opDeadline` (by default `timeout` from now). An
   * operation of several RPCs passes one `deadline()` to all of them, so the whole is bounded.
   * @throws BackendUnavailableError when no attempt succeeded in time.
   */
  async call<T>(
    what: string,
    fn: (options: CallOptions) => Promise<T>,
    opDeadline = this.deadline(),
  ): Promise<T> {
    // Each member gets a few chances: the pool picks members at random per attempt.
    const maxAttempts = Math.max(3, this.#s.endpoints.length * 3);
    for (let attempt = 1; ; attempt++) {
      const budget = this.#s.commandTimeoutMs + (this.#reached ? 0 : this.#s.dialTimeoutMs);
      const deadline = Math.min(opDeadline, Date.now() + budget);
      try {
        const result = await fn({ deadline });
        this.#reached = true;
        return result;
      } catch (error) {
        const cause = memberError(error);
        const more =
          attempt < maxAttempts && isRetryable(cause) && Date.now() + RETRY_PAUSE_MS < opDeadline;
        if (!more) throw translateEtcdError(this.scope, what, cause);
        await sleep(RETRY_PAUSE_MS);
      }
    }
  }

  /** A separate connection to one member only, with the same settings (for doctor). */
  forMember(endpoint: string): EtcdConnection {
    return new EtcdConnection({ ...this.#s, endpoints: [endpoint] });
  }

  /** The configured member URLs. */
  get endpoints(): readonly string[] {
    return this.#s.endpoints;
  }

  /** The bound on one whole operation (the common `timeout`). */
  get timeoutMs(): number {
    return this.#s.timeoutMs;
  }

  /** The deadline of an operation starting now; pass it to each `call` the operation makes. */
  deadline(): number {
    return Date.now() + this.#s.timeoutMs;
  }

  /** Translates an error raised outside `call` (watch streams). */
  translate(what: string, cause: unknown): Error {
    return translateEtcdError(this.scope, what, memberError(cause));
  }

  close(): void {
    closeChannelsNow(this.client);
    this.client.close();
  }
}

function clientOptions(s: ConnectionSettings): IOptions {
  const health = new MemberHealth(s.endpoints, Math.max(1000, s.dialTimeoutMs));
  const options: IOptions = {
    hosts: [...s.endpoints],
    // Applies to calls etcd3 makes by itself: the auth token exchange, which runs at the start of
    // an operation and so gets the operation's bound. Ours pass their own deadline.
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + s.timeoutMs }),
    faultHandling: { host: (member) => health.policyFor(member), global: runOnce },
    grpcOptions: {
      // A member that comes back is found again within dial_timeout, not gRPC's 2-minute backoff.
      "grpc.initial_reconnect_backoff_ms": Math.min(200, s.dialTimeoutMs),
      "grpc.max_reconnect_backoff_ms": Math.max(200, s.dialTimeoutMs),
    },
  };
  if (s.username !== undefined) {
    options.auth = { username: s.username, password: s.password ?? "" };
  }
  if (s.ca !== undefined || s.cert !== undefined || s.key !== undefined) {
    if ((s.cert === undefined) !== (s.key === undefined)) {
      throw new ConfigError(`[backend.${s.name}]: cert and key must be set together`, {
        hint: "set both cert (client certificate) and key (its private key), or neither",
      });
    }
    options.credentials = {
      // gRPC takes null as "the system's trusted roots"; etcd3's type does not say so.
      rootCertificate: (s.ca === undefined ? null : readPem(s, "ca", s.ca)) as Buffer,
      ...(s.key !== undefined ? { privateKey: readPem(s, "key", s.key) } : {}),
      ...(s.cert !== undefined ? { certChain: readPem(s, "cert", s.cert) } : {}),
    };
  }
  return options;
}

function readPem(s: ConnectionSettings, option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new ConfigError(
      `[backend.${s.name}] ${option}: cannot read ${path}: ${(cause as Error).message}`,
      {
        cause,
        hint: `point ${option} at a readable PEM file`,
      },
    );
  }
}
