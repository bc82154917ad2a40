import { createHash } from "node:crypto";
import { ConfigError } from "../../lease/errors.js";

/** The names one configured lease table uses, already quoted for SQL. */
export interface TableNames {
  /** `"schema"."table"` */
  readonly table: string;
  /** `"schema"."table_fence"`, the sequence that seeds fences. */
  readonly sequence: string;
  /** `"schema"` */
  readonly schema: string;
  /** NOTIFY channel for releases in this table; distinct per schema.table. */
  readonly channel: string;
  /** Key for the advisory lock that serialises first-use DDL of this table. */
  readonly ddlLockKey: string;
  /** `schema.table`, unquoted, for messages. */
  readonly display: string;
}

/** Room for the `_fence` suffix within PostgreSQL's 63-byte identifier limit. */
const MAX_TABLE_LENGTH = 57;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Validates the configured schema and table names and quotes them. Only plain identifiers are
 * accepted (letters, digits, underscore), so nothing configured can change the SQL around them;
 * they are quoted as well, so case is kept exactly as written.
 * @throws ConfigError for any other name.
 * @example tableNames("postgres", "ops", "leases").table === '"ops"."leases"'
 */
export function tableNames(backend: string, schema: string, table: string): TableNames {
  check(backend, "schema", schema, 63);
  check(backend, "table", table, MAX_TABLE_LENGTH);
  const digest = createHash("sha256").update(`${schema}.${table}`).digest();
  return {
    table: `"${schema}"."${table}"`,
    sequence: `"${schema}"."${table}_fence"`,
    schema: `"${schema}"`,
    channel: `leasehold_${digest.subarray(0, 10).toString("hex")}`,
    ddlLockKey: digest.readBigInt64BE(10).toString(),
    display: `${schema}.${table}`,
  };
}

function check(backend: string, key: string, value: string, max: number): void {
  if (!IDENTIFIER.test(value) || value.length > max) {
    throw new ConfigError(
      `[backend.${backend}] ${key}: ${JSON.stringify(value.slice(0, 80))} is not a plain SQL identifier`,
      {
        hint: `use 1 to ${max} letters, digits or underscores, not starting with a digit`,
      },
    );
  }
}

/**
 * The DDL for one lease table, for first use and for operators who create it by hand. One row
 * per resource ever used; a released lease leaves its row (id and expires_at NULL) so the fence
 * survives. `COLLATE "C"` makes prefix scans byte-ordered and index-friendly; timestamptz keeps
 * expiry independent of each session's TimeZone.
 */
export function tableDdl(n: TableNames): string {
  return `CREATE SEQUENCE IF NOT EXISTS ${n.sequence} AS bigint;
CREATE TABLE IF NOT EXISTS ${n.table} (
  resource   text COLLATE "C" PRIMARY KEY,
  id         text,
  principal  text,
  reason     text,
  created_at timestamptz,
  expires_at timestamptz,
  fence      bigint NOT NULL,
  CHECK ((id IS NULL) = (expires_at IS NULL))
);`;
}

/**
 * The first-use script, sent as one simple-protocol query, which PostgreSQL runs as one implicit
 * transaction (all or nothing, no aborted block left behind). An advisory transaction lock
 * serialises it, so many clients starting at once do not trip over each other's CREATE (which,
 * unlocked, can fail on a catalog unique index even with IF NOT EXISTS). The lock ends with the
 * transaction; leases themselves never use advisory locks.
 * `withSchema` adds CREATE SCHEMA, which needs CREATE on the database even when the schema
 * exists, so it is sent only when the schema was found missing.
 */
export function firstUseScript(n: TableNames, withSchema: boolean): string {
  return [
    `SELECT pg_advisory_xact_lock(${n.ddlLockKey});`,
    withSchema ? `CREATE SCHEMA IF NOT EXISTS ${n.schema};` : "",
    tableDdl(n),
  ].join("\n");
}

/** SQLSTATEs meaning the table, sequence or schema is missing: create them, then retry. */
export const MISSING_TABLE = "42P01";
export const MISSING_SCHEMA = "3F000";

/** SQLSTATEs a racing CREATE may raise although the object now exists: treat as done. */
export const ALREADY_CREATED = new Set(["42P07", "42P06", "42710", "23505"]);
