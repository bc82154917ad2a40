import type pg from "pg";
import { BackendUnavailableError } from "../../lease/errors.js";
import { type Held, type Lease, makeLease, newLeaseId } from "../../lease/lease.js";
import type { AcquireRequest, Backend, BackendContext, DoctorCheck } from "../types.js";
import { Connection } from "./connection.js";
import { postgresDoctor } from "./doctor.js";
import { type ErrorContext, translatePgError } from "./errors.js";
import { ReleaseListener } from "./listener.js";
import { type PostgresSettings, settingsFrom } from "./options.js";
import {
  ALREADY_CREATED,
  firstUseScript,
  MISSING_SCHEMA,
  MISSING_TABLE,
  type TableNames,
  tableNames,
} from "./schema.js";
import {
  type AcquireRow,
  type LeaseRow,
  likePrefix,
  type Statements,
  statementsFor,
} from "./statements.js";
import { waitForRelease } from "./wait.js";

export { options } from "./options.js";

/**
 * Creates the PostgreSQL backend. Nothing connects until the first operation.
 * @throws ConfigError for a schema or table that is not a plain identifier, or bad TLS settings.
 * @example
 * // [backend.postgres]
 * // url = postgres://leasehold@db.internal/ops
 */
export async function create(ctx: BackendContext): Promise<Backend> {
  const settings = settingsFrom(ctx);
  const names = tableNames(ctx.name, settings.schema, settings.table);
  return new PostgresBackend(ctx, settings, names);
}

/** How often acquire re-runs when a competing insert committed inside its snapshot (rare). */
const ACQUIRE_ATTEMPTS = 5;

/**
 * Leases in one PostgreSQL table, one row per resource. Every operation is a single statement
 * judged by the database clock; releases NOTIFY waiters in the same statement.
 */
class PostgresBackend implements Backend {
  readonly kind = "postgres";
  readonly #db: Connection;
  readonly #listener: ReleaseListener;
  readonly #sql: Statements;
  readonly #errors: ErrorContext;

  constructor(
    private readonly ctx: BackendContext,
    private readonly settings: PostgresSettings,
    private readonly names: TableNames,
  ) {
    this.#db = new Connection(settings.client, ctx.timeoutMs);
    this.#listener = new ReleaseListener(settings.client, names.channel, ctx.timeoutMs);
    this.#sql = statementsFor(names);
    this.#errors = { backend: ctx.name, where: settings.where, table: names.display };
  }

  async acquire(resource: string, req: AcquireRequest): Promise<Lease | Held> {
    const values = [resource, newLeaseId(), req.principal, req.reason ?? null, req.ttlMs];
    for (let attempt = 1; attempt <= ACQUIRE_ATTEMPTS; attempt++) {
      const { rows } = await this.#run<AcquireRow>(this.#sql.acquire, values, true);
      const row = rows[0];
      if (row) return row.granted ? toLease(row) : { status: "held", holder: toLease(row) };
      // Neither branch saw a row: a competing acquire committed after this statement's
      // snapshot was taken, so the upsert found it live but the holder query could not see it.
      // A fresh statement sees it.
    }
    throw new BackendUnavailableError(
      `postgres backend ${this.ctx.name}: ${resource} kept changing hands during acquire`,
      {
        hint: "retry; many clients are racing for this resource",
      },
    );
  }

  async release(resource: string, leaseId: string): Promise<boolean> {
    return (await this.#run(this.#sql.release, [resource, leaseId])).rowCount === 1;
  }

  async renew(resource: string, leaseId: string, ttlMs: number): Promise<Lease | undefined> {
    const { rows } = await this.#run<LeaseRow>(this.#sql.renew, [resource, leaseId, ttlMs]);
    return rows[0] && toLease(rows[0]);
  }

  async current(resource: string): Promise<Lease | undefined> {
    const { rows } = await this.#run<LeaseRow>(this.#sql.current, [resource]);
    return rows[0] && toLease(rows[0]);
  }

  async isHeld(resource: string, leaseId: string): Promise<boolean> {
    return (await this.#run(this.#sql.isHeld, [resource, leaseId])).rowCount === 1;
  }

  async *list(prefix = ""): AsyncIterable<Lease> {
    const { rows } = await this.#run<LeaseRow>(this.#sql.list, [prefix, likePrefix(prefix)]);
    for (const row of rows) yield toLease(row);
  }

  async forceRelease(resource: string, onlyLeaseId?: string): Promise<boolean> {
    return (
      (await this.#run(this.#sql.forceRelease, [resource, onlyLeaseId ?? null])).rowCount === 1
    );
  }

  async waitForChange(resource: string, untilMs: number, signal: AbortSignal): Promise<void> {
    try {
      await waitForRelease(this.#listener, () => this.current(resource), resource, untilMs, signal);
    } catch (cause) {
      throw translatePgError(cause, this.#errors);
    }
  }

  doctor(): Promise<DoctorCheck[]> {
    return postgresDoctor(this.#db, this.names, this.settings.where, this.#errors);
  }

  async close(): Promise<void> {
    await Promise.all([this.#db.close(), this.#listener.close()]);
  }

  /**
   * Runs one statement within the timeout. Only when the table (or its schema or sequence) is
   * missing does acquire (`create`) create them and run the statement again, so the usual path
   * stays one round trip and no process pays for a schema check; the other operations answer
   * as for an empty table, so a role that may only read never attempts DDL.
   */
  async #run<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[],
    create = false,
  ): Promise<pg.QueryResult<R>> {
    const deadline = Date.now() + this.ctx.timeoutMs;
    try {
      try {
        return await this.#db.query<R>(text, values, deadline);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== MISSING_TABLE && code !== MISSING_SCHEMA) throw e;
        // No table yet means no leases: only acquire needs to create it.
        if (!create) return { rows: [], rowCount: 0, command: "", oid: 0, fields: [] };
        await this.#createTable(code === MISSING_SCHEMA, deadline);
        return await this.#db.query<R>(text, values, deadline);
      }
    } catch (cause) {
      throw translatePgError(cause, this.#errors);
    }
  }

  async #createTable(withSchema: boolean, deadline: number): Promise<void> {
    try {
      await this.#db.query(firstUseScript(this.names, withSchema), undefined, deadline);
    } catch (e) {
      const code = (e as { code?: string }).code ?? "";
      // A missing schema shows up as a missing table first; now we know, create both.
      if (code === MISSING_SCHEMA && !withSchema) return this.#createTable(true, deadline);
      // The implicit transaction rolled back; a racing creator may have made it meanwhile.
      if (!ALREADY_CREATED.has(code)) throw e;
    }
  }
}

function toLease(row: LeaseRow): Lease {
  return makeLease(
    {
      resource: row.resource,
      id: row.id,
      principal: row.principal,
      reason: row.reason,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      fence: Number(row.fence),
    },
    row.db_now.getTime(),
  );
}
