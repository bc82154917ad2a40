import { castGrpcError, GRPCUnavailableError, type IOptions } from "etcd3";
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
        if (isRetryable(castGrpcError(error as Error)))
          this.#downUntil.set(member, Date.now() + this.downMs);
        throw error;
      }
    });
  }

  #isDown(member: string): boolean {
    return (this.#downUntil.get(member) ?? 0) > Date.now();
  }
}
