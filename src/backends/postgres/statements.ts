import type { TableNames } from "./schema.js";

/**
 * NOTIFY payloads are one letter for the event, then the resource name. Resource names are at
 * most 512 bytes, well under NOTIFY's 8000-byte payload limit.
 */
export const RELEASED = "R";
export const RENEWED = "E";

/** The row shape every statement that returns leases yields. */
export interface LeaseRow {
  resource: string;
  id: string;
  principal: string;
  reason: string | null;
  created_at: Date;
  expires_at: Date;
  /** bigint arrives as text from pg. */
  fence: string;
  /** The database's now(), so remaining time is judged by its clock. */
  db_now: Date;
}

/** Acquire's row: the new lease when granted, else the live holder. */
export interface AcquireRow extends LeaseRow {
  granted: boolean;
}

/** The SQL of every operation: one statement each, all times from the database's now(). */
export interface Statements {
  /** $1 resource, $2 new id, $3 principal, $4 reason, $5 ttl ms */
  readonly acquire: string;
  /** $1 resource, $2 id; one row (the notify) when released */
  readonly release: string;
  /** $1 resource, $2 only this id or NULL; one row when released */
  readonly forceRelease: string;
  /** $1 resource, $2 id, $3 ttl ms; notifies waiters, who re-read the expiry */
  readonly renew: string;
  /** $1 resource */
  readonly current: string;
  /** $1 resource, $2 id */
  readonly isHeld: string;
  /** $1 prefix (range start), $2 LIKE pattern of the escaped prefix */
  readonly list: string;
}

const COLS = "resource, id, principal, reason, created_at, expires_at, fence";
const LIVE = "id IS NOT NULL AND expires_at > now()";
const TTL = (p: string) => `now() + ${p}::float8 * interval '1 millisecond'`;

/** Builds the statements for one lease table; names are already validated and quoted. */
export function statementsFor(n: TableNames): Statements {
  const notify = (kind: string) => `pg_notify('${n.channel}', '${kind}' || resource)`;
  const vacate = "id = NULL, principal = NULL, reason = NULL, created_at = NULL, expires_at = NULL";
  return {
    // Takes a free, released or expired row, or inserts a new one. When the row is live the
    // upsert yields nothing and the second branch returns the holder, so a refused acquire
    // costs no second round trip. The fence is the row's fence + 1 (the row lock serialises
    // takeovers, so it strictly increases) or, if larger, the next sequence value, so a row
    // deleted by hand and created again still does not reuse old fences.
    acquire: `WITH taken AS (
  INSERT INTO ${n.table} AS l (${COLS})
  VALUES ($1, $2, $3, $4, now(), ${TTL("$5")}, nextval('${n.sequence}'))
  ON CONFLICT (resource) DO UPDATE
    SET id = excluded.id, principal = excluded.principal, reason = excluded.reason,
        created_at = excluded.created_at, expires_at = excluded.expires_at,
        fence = greatest(l.fence + 1, excluded.fence)
    WHERE l.id IS NULL OR l.expires_at <= now()
  RETURNING ${COLS}
)
SELECT true AS granted, ${COLS}, now() AS db_now FROM taken
UNION ALL
SELECT false, ${COLS}, now() FROM ${n.table}
  WHERE resource = $1 AND ${LIVE} AND NOT EXISTS (SELECT FROM taken)`,
    // Vacates the row but keeps it, so the fence carries on; waiters hear the NOTIFY when the
    // transaction commits, and only if something was released.
    release: `WITH gone AS (
  UPDATE ${n.table} SET ${vacate} WHERE resource = $1 AND id = $2 AND expires_at > now() RETURNING resource
)
SELECT ${notify(RELEASED)} FROM gone`,
    forceRelease: `WITH gone AS (
  UPDATE ${n.table} SET ${vacate}
  WHERE resource = $1 AND ${LIVE} AND ($2::text IS NULL OR id = $2) RETURNING resource
)
SELECT ${notify(RELEASED)} FROM gone`,
    // Notifies too: a waiter timed to the old expiry must learn of a shorter one.
    renew: `WITH renewed AS (
  UPDATE ${n.table} SET expires_at = ${TTL("$3")}
  WHERE resource = $1 AND id = $2 AND expires_at > now() RETURNING ${COLS}
)
SELECT ${COLS}, now() AS db_now, ${notify(RENEWED)} AS notified FROM renewed`,
    current: `SELECT ${COLS}, now() AS db_now FROM ${n.table} WHERE resource = $1 AND ${LIVE}`,
    isHeld: `SELECT 1 FROM ${n.table} WHERE resource = $1 AND id = $2 AND expires_at > now()`,
    // The range start lets the primary key index skip to the prefix; LIKE (wildcards escaped)
    // stops the scan at its end and makes the match exact.
    list: `SELECT ${COLS}, now() AS db_now FROM ${n.table}
WHERE resource >= $1 AND resource LIKE $2 ESCAPE '!' AND ${LIVE} ORDER BY resource`,
  };
}

/**
 * `prefix%` with `!`, `%` and `_` escaped, for `LIKE … ESCAPE '!'`. `!` rather than a backslash,
 * whose meaning in a string literal depends on standard_conforming_strings.
 */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}
