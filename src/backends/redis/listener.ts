import type { Cluster, Redis } from "ioredis";

type Wake = () => void;

/**
 * One dedicated subscriber connection per backend, shared by every waiter: a connection in
 * subscribe mode cannot run other commands, so it is a duplicate of the command client, made on
 * first use. Channels are reference-counted so many waits on one resource share a SUBSCRIBE.
 * If the connection drops, every waiter is woken (waking early is allowed; they re-check), so a
 * lost subscription can never make a waiter sleep through a release.
 */
export class ReleaseListener {
  readonly #source: Redis | Cluster;
  #sub: Redis | Cluster | undefined;
  readonly #waiters = new Map<string, Set<Wake>>();

  constructor(source: Redis | Cluster) {
    this.#source = source;
  }

  /**
   * Subscribes `wake` to `channel`; resolves once Redis has confirmed the subscription, so any
   * later PUBLISH reaches it. Returns the function that unsubscribes.
   * @throws whatever ioredis throws when the subscription cannot be made.
   */
  async listen(channel: string, wake: Wake): Promise<() => Promise<void>> {
    const sub = this.#connection();
    let set = this.#waiters.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.#waiters.set(channel, set);
    }
    set.add(wake);
    try {
      // A second waiter on the channel also awaits SUBSCRIBE: Redis confirms in order, so its
      // confirmation comes no earlier than the first waiter's.
      await sub.subscribe(channel);
    } catch (e) {
      this.#drop(channel, wake, first);
      throw e;
    }
    return async () => this.#drop(channel, wake, true);
  }

  /** Closes the subscriber connection without waiting for the server. */
  close(): void {
    this.#sub?.disconnect();
    this.#sub = undefined;
    this.#wakeAll();
  }

  #drop(channel: string, wake: Wake, unsubscribe: boolean): void {
    const set = this.#waiters.get(channel);
    if (!set) return;
    set.delete(wake);
    if (set.size > 0) return;
    this.#waiters.delete(channel);
    // Fire and forget: a failed UNSUBSCRIBE only leaves a harmless subscription behind.
    if (unsubscribe) this.#sub?.unsubscribe(channel).catch(() => {});
  }

  #connection(): Redis | Cluster {
    if (this.#sub) return this.#sub;
    const sub = this.#source.duplicate();
    sub.on("message", (channel: string) => {
      for (const wake of this.#waiters.get(channel) ?? []) wake();
    });
    // Errors also arrive as rejected commands; the listener only keeps ioredis from printing them.
    sub.on("error", () => {});
    // Messages published while the connection is down are lost: wake everyone to re-check.
    sub.on("close", () => this.#wakeAll());
    this.#sub = sub;
    return sub;
  }

  #wakeAll(): void {
    for (const set of this.#waiters.values()) for (const wake of set) wake();
  }
}
