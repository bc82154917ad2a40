import {
  castGrpcError,
  GRPCDeadlineExceededError,
  GRPCUnavailableError,
  type IOptions,
} from "etcd3";
import { isRetryable } from "./errors.js";

/** etcd3's policy type, without importing cockatiel (etcd3's dependency, not ours). */
export type Policy = NonNullable<NonNullable<IOptions["faultHandling"]>["global"]>;
type Run = <T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T) => Promise<T>;

/** Handed to calls as their policy context; nothing here ever cancels a call by signal. */
const NEVER_ABORTED = new AbortController().signal;

/** etcd3 only ever calls `execute` on its policies; this wraps a plain function as one. */
function policy(execute: Run): Policy {
  return { execute } as unknown as Policy;
}

/**
 * Runs the call once. etcd3's default global policy retries and trips breakers on its own
 * clocks, which would let a dead cluster outlive our timeout; `EtcdConnection.call` retries.
 * async: etcd3's markFailed relies on a throwing callback becoming a rejection it can catch.
 */
export const runOnce: Policy = policy(async (fn) => fn({ signal: NEVER_ABORTED }));

/**
 * Remembers which members failed recently (refused, timed out, no leader) and skips them for
 * `downMs` while another member is not marked, so with one member of three dead only the first
 * call pays for finding out. etcd3 moves on to the next member, within the same attempt, when a
 * member's policy rejects without calling through. With every member marked, all are tried.
 */
export class MemberHealth {
  readonly #downUntil = new Map<string, number>();

  constructor(
    private readonly members: readonly string[],
    private readonly downMs: number,
  ) {}

  /** The per-member policy handed to etcd3 as `faultHandling.host`. */
  policyFor(member: string): Policy {
    return policy(async (fn) => {
      if (this.#isDown(member) && this.members.some((m) => m !== member && !this.#isDown(m))) {
        throw new GRPCUnavailableError(`member ${member} failed recently; another is tried`);
      }
      try {
        const result = await fn({ signal: NEVER_ABORTED });
        this.#downUntil.delete(member);
        return result;
      } catch (error) {
        const cause = castGrpcError(error as Error);
        if (isRetryable(cause)) this.#downUntil.set(member, Date.now() + this.downMs);
        if (cause instanceof GRPCDeadlineExceededError) throw new KeptChannelError(cause);
        throw error;
      }
    });
  }

  #isDown(member: string): boolean {
    return (this.#downUntil.get(member) ?? 0) > Date.now();
  }
}

/**
 * A timed-out call, disguised so etcd3 does not "reset" the member's channel. The channel is
 * then still connecting (frozen member) or ready (slow member); etcd3 closes a connecting one
 * only after waiting up to 1 s for it (its grpc-node#1487 workaround), a timer that would keep
 * a CLI process alive after its answer. gRPC keeps or re-establishes the channel by itself.
 * `memberError` takes the disguise off again.
 */
export class KeptChannelError extends Error {
  constructor(readonly original: Error) {
    super(original.message);
  }
}

/** The error a member call really failed with. */
export function memberError(error: unknown): unknown {
  return error instanceof KeptChannelError ? error.original : error;
}

/**
 * Closes every gRPC channel etcd3 holds at once, connecting or not, before etcd3's own close
 * (which would wait up to 1 s for a connecting one, see KeptChannelError). This reaches into
 * etcd3 1.1's pool; if that shape ever changes, nothing is closed here and etcd3's close still is.
 */
export function closeChannelsNow(client: object): void {
  type Service = { close(): void };
  const pool = (
    client as { pool?: { hosts?: { cachedServices?: Record<string, Service | undefined> }[] } }
  ).pool;
  for (const host of pool?.hosts ?? []) {
    for (const service of Object.values(host.cachedServices ?? {})) {
      try {
        service?.close();
      } catch {
        // Already closed.
      }
    }
  }
}
