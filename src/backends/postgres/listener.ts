import type pg from "pg";
import { endWithoutWaiting, type Opening, openClient } from "./connection.js";
import { DeadlineError } from "./errors.js";
import { RENEWED } from "./statements.js";

/** What a waiter is told: its resource was released or renewed, or the connection broke. */
export type ListenerEvent = "released" | "renewed" | "broken";

/**
 * A dedicated connection that LISTENs on the table's channel and wakes the waiters of a resource
 * when a release, force-release or renewal NOTIFYs its name. Opened on the first wait only
 * (acquire without --wait never pays for it). If the connection breaks, every waiter is woken
 * (waking early is allowed: callers re-try acquire, which reports an unreachable server) and the
 * next wait reconnects.
 */
export class ReleaseListener {
  #current: { opening: Opening; ready: Promise<void> } | undefined;
  readonly #waiters = new Map<string, Set<(event: ListenerEvent) => void>>();

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Calls `wake` when `resource` is released or renewed, or when the connection breaks. Resolves
   * once LISTEN is in effect, so a release after that is never missed. Returns the unsubscriber.
   * Rejects with pg's error or DeadlineError when the server cannot be reached in time.
   */
  async subscribe(resource: string, wake: (event: ListenerEvent) => void): Promise<() => void> {
    const set = this.#waiters.get(resource) ?? new Set();
    this.#waiters.set(resource, set);
    set.add(wake);
    const unsubscribe = () => {
      set.delete(wake);
      if (set.size === 0 && this.#waiters.get(resource) === set) this.#waiters.delete(resource);
    };
    try {
      await this.#listening();
      return unsubscribe;
    } catch (e) {
      unsubscribe();
      throw e;
    }
  }

  /** Drops the connection without waiting on the server. */
  async close(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    if (current) await endWithoutWaiting(current.opening);
  }

  #listening(): Promise<void> {
    if (this.#current) return this.#current.ready;
    const opening = openClient(this.config);
    const { client } = opening;
    const current = { opening, ready: this.#listen(opening) };
    this.#current = current;
    const broken = () => {
      if (this.#current !== current) return;
      this.#current = undefined;
      void endWithoutWaiting(opening);
      for (const set of this.#waiters.values()) for (const wake of set) wake("broken");
    };
    client.on("notification", (msg) => {
      if (msg.channel !== this.channel || msg.payload === undefined) return;
      const event = msg.payload[0] === RENEWED ? "renewed" : "released";
      for (const wake of this.#waiters.get(msg.payload.slice(1)) ?? []) wake(event);
    });
    client.on("error", broken);
    client.on("end", broken);
    current.ready.catch(broken);
    return current.ready;
  }

  async #listen({ opened }: Opening): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError(this.timeoutMs)), this.timeoutMs);
    });
    try {
      await Promise.race([opened.then((c) => c.query(`LISTEN "${this.channel}"`)), expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
