import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type Database from "better-sqlite3";
import { type Held, type Lease, makeLease, newLeaseId } from "../../lease/lease.js";
import { pollUntilChanged } from "../poll.js";
import type { AcquireRequest, Backend, BackendContext, DoctorCheck, OptionSpec } from "../types.js";
import { openDatabase, translateSqliteError } from "./store.js";

/** Options of `[backend.sqlite]`. */
export const options: readonly OptionSpec[] = [
  {
    name: "path",
    type: "path",
    description: "database file; share one path between users to share leases on a host",
    default: "$XDG_STATE_HOME/leasehold/leases.db (~/.local/state)",
  },
];

interface Row {
  resource: string;
  id: string;
  principal: string;
  reason: string | null;
  created_ms: number;
  expires_ms: number;
  fence: number;
}

/** Creates the embedded default backend. */
export async function create(ctx: BackendContext): Promise<Backend> {
  return new SqliteBackend(
    databasePath(ctx.options.path as string | undefined, ctx.env ?? process.env),
    ctx.timeoutMs,
  );
}

function databasePath(configured: string | undefined, env: NodeJS.ProcessEnv): string {
  if (configured !== undefined && !configured.startsWith("$XDG_STATE_HOME"))
    return resolve(configured);
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return join(state, "leasehold", "leases.db");
}

/**
 * Leases in one SQLite file. Every write is a single `BEGIN IMMEDIATE` transaction, so many
 * processes on one host exclude each other; the host clock is the backend clock.
 */
class SqliteBackend implements Backend {
  readonly kind = "sqlite";
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #stmt;

  constructor(path: string, timeoutMs: number) {
    this.#path = path;
    this.#db = openDatabase(path, timeoutMs);
    const db = this.#db;
    this.#stmt = {
      get: db.prepare<[string], Row>("SELECT * FROM leases WHERE resource = ?"),
      live: db.prepare<[string, number], Row>(
        "SELECT * FROM leases WHERE resource = ? AND id IS NOT NULL AND expires_ms > ?",
      ),
      upsert: db.prepare(
        `INSERT INTO leases (resource, id, principal, reason, created_ms, expires_ms, fence)
         VALUES (@resource, @id, @principal, @reason, @now, @expires, 1)
         ON CONFLICT (resource) DO UPDATE SET id = @id, principal = @principal, reason = @reason,
           created_ms = @now, expires_ms = @expires, fence = fence + 1
         RETURNING *`,
      ),
      renew: db.prepare<[number, string, string, number], Row>(
        "UPDATE leases SET expires_ms = ? WHERE resource = ? AND id = ? AND expires_ms > ? RETURNING *",
      ),
      release: db.prepare<[string, string, number]>(
        "UPDATE leases SET id = NULL, expires_ms = NULL WHERE resource = ? AND id = ? AND expires_ms > ?",
      ),
      isHeld: db.prepare<[string, string, number], { one: number }>(
        "SELECT 1 AS one FROM leases WHERE resource = ? AND id = ? AND expires_ms > ?",
      ),
      // The range condition lets the primary key index narrow the scan; substr makes it exact.
      list: db.prepare<[number, string, string, string], Row>(
        "SELECT * FROM leases WHERE id IS NOT NULL AND expires_ms > ? AND resource >= ? AND substr(resource, 1, length(?)) = ? ORDER BY resource",
      ),
    };
  }

  async acquire(resource: string, req: AcquireRequest): Promise<Lease | Held> {
    return this.#run(() =>
      this.#db
        .transaction((): Lease | Held => {
          const now = Date.now();
          const live = this.#stmt.live.get(resource, now);
          if (live) return { status: "held", holder: toLease(live, now) };
          const row = this.#stmt.upsert.get({
            resource,
            id: newLeaseId(),
            principal: req.principal,
            reason: req.reason ?? null,
            now,
            expires: now + req.ttlMs,
          }) as Row;
          return toLease(row, now);
        })
        .immediate(),
    );
  }

  async release(resource: string, leaseId: string): Promise<boolean> {
    return this.#run(() => this.#stmt.release.run(resource, leaseId, Date.now()).changes === 1);
  }

  async renew(resource: string, leaseId: string, ttlMs: number): Promise<Lease | undefined> {
    return this.#run(() => {
      const now = Date.now();
      const row = this.#stmt.renew.get(now + ttlMs, resource, leaseId, now);
      return row ? toLease(row, now) : undefined;
    });
  }

  async current(resource: string): Promise<Lease | undefined> {
    return this.#run(() => {
      const now = Date.now();
      const row = this.#stmt.live.get(resource, now);
      return row ? toLease(row, now) : undefined;
    });
  }

  async isHeld(resource: string, leaseId: string): Promise<boolean> {
    return this.#run(() => this.#stmt.isHeld.get(resource, leaseId, Date.now()) !== undefined);
  }

  async *list(prefix = ""): AsyncIterable<Lease> {
    const now = Date.now();
    const rows = this.#run(() => this.#stmt.list.iterate(now, prefix, prefix, prefix));
    for (const row of rows) yield toLease(row, now);
  }

  async forceRelease(resource: string, onlyLeaseId?: string): Promise<boolean> {
    return this.#run(() =>
      this.#db
        .transaction(() => {
          const now = Date.now();
          const live = this.#stmt.live.get(resource, now);
          if (!live || (onlyLeaseId !== undefined && live.id !== onlyLeaseId)) return false;
          return this.#stmt.release.run(resource, live.id, now).changes === 1;
        })
        .immediate(),
    );
  }

  waitForChange(resource: string, untilMs: number, signal: AbortSignal): Promise<void> {
    return pollUntilChanged(() => this.current(resource), untilMs, signal);
  }

  async doctor(): Promise<DoctorCheck[]> {
    const mode = this.#run(() => this.#db.pragma("journal_mode", { simple: true }));
    return [{ name: "database", ok: true, detail: `${this.#path} (journal ${String(mode)})` }];
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      throw translateSqliteError(this.#path, cause);
    }
  }
}

function toLease(row: Row, now: number): Lease {
  return makeLease(
    {
      resource: row.resource,
      id: row.id,
      principal: row.principal,
      reason: row.reason,
      createdAt: new Date(row.created_ms),
      expiresAt: new Date(row.expires_ms),
      fence: row.fence,
    },
    now,
  );
}
