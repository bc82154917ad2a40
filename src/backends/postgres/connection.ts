import type pg from "pg";
import { DeadlineError } from "./errors.js";
import pgModule from "./pg-module.js";

/**
 * One pg Client, connected on first use and replaced after it breaks. A one-shot CLI needs a
 * single connection, not a pool; every call is bounded by a deadline that covers connecting and
 * the statement together, and a connection that missed its deadline is torn down rather than
 * reused (its late answer would otherwise arrive for the next statement's caller to wait on).
 */
export class Connection {
  #current: Opening | undefined;
  #closed = false;
  /** Statements run one at a time: pg would queue them anyway, and deprecates doing so. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Runs one statement (or one simple-protocol script when `values` is omitted).
   * Rejects with pg's error, a socket error or DeadlineError; callers translate.
   */
  async query<R extends pg.QueryResultRow>(
    text: string,
    values?: unknown[],
    deadline = Date.now() + this.timeoutMs,
  ): Promise<pg.QueryResult<R>> {
    const turn = this.#tail.then(() =>
      this.#bounded(deadline, async () => {
        const client = await this.#connected();
        return values === undefined ? client.query<R>(text) : client.query<R>(text, values);
      }),
    );
    this.#tail = turn.catch(() => {});
    return turn;
  }

  /** Tears the connection down without waiting for the server (which may be frozen). */
  async close(): Promise<void> {
    this.#closed = true;
    const current = this.#current;
    this.#current = undefined;
    if (current) await endWithoutWaiting(current);
  }

  #connected(): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(new Error("the postgres backend was closed"));
    if (!this.#current) {
      const current = openClient(this.config);
      // A broken connection (server restart, network) is dropped; the next call reconnects.
      const drop = () => {
        if (this.#current === current) this.#current = undefined;
      };
      current.client.on("error", drop);
      current.client.on("end", drop);
      current.opened.catch(drop);
      this.#current = current;
    }
    return this.#current.opened;
  }

  async #bounded<T>(deadline: number, work: () => Promise<T>): Promise<T> {
    const ms = deadline - Date.now();
    // Spent the whole budget waiting for earlier statements: give up without blaming the connection.
    if (ms <= 0) throw new DeadlineError(this.timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError(this.timeoutMs)), ms);
    });
    const running = work();
    try {
      return await Promise.race([running, expired]);
    } catch (e) {
      if (e instanceof DeadlineError) {
        running.catch(() => {});
        const stale = this.#current;
        this.#current = undefined;
        if (stale) void endWithoutWaiting(stale);
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A client and its connect() in flight. */
export interface Opening {
  readonly client: pg.Client;
  readonly opened: Promise<pg.Client>;
}

/** Creates a client and starts connecting; `opened` resolves to it once connected. */
export function openClient(config: pg.ClientConfig): Opening {
  const client = new pgModule.Client(config);
  const opened = client.connect().then(() => client);
  opened.catch(() => {});
  return { client, opened };
}

/**
 * Ends a client, giving a healthy server a moment to see the goodbye, then destroys the socket
 * so that neither a frozen server nor a half-open TCP connection keeps the process alive.
 */
export async function endWithoutWaiting({ client, opened }: Opening): Promise<void> {
  client.on("error", () => {});
  const connected = await Promise.race([
    opened.then(
      () => true,
      () => false,
    ),
    graceMs(0).then(() => false),
  ]);
  if (connected) await Promise.race([client.end().catch(() => {}), graceMs(100)]);
  client.connection.stream.destroy();
}

function graceMs(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
