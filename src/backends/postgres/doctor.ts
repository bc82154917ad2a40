import type { DoctorCheck } from "../types.js";
import type { Connection } from "./connection.js";
import { type ErrorContext, translatePgError } from "./errors.js";
import type { TableNames } from "./schema.js";

// One round trip. Privilege functions are strict, so a NULL oid (missing or unusable schema,
// missing table) yields NULL rather than an error; to_regclass is only reached when the role
// may use the schema, as it raises "permission denied" otherwise.
const SQL = `WITH s AS (SELECT to_regnamespace($1) AS ns),
t AS (
  SELECT s.ns IS NOT NULL AND NOT has_schema_privilege(s.ns, 'USAGE') AS unusable,
    CASE WHEN s.ns IS NULL THEN has_database_privilege(current_database(), 'CREATE')
         ELSE has_schema_privilege(s.ns, 'CREATE') END AS may_create,
    CASE WHEN has_schema_privilege(s.ns, 'USAGE') THEN to_regclass($2) END AS tbl,
    CASE WHEN has_schema_privilege(s.ns, 'USAGE') THEN to_regclass($3) END AS seq
  FROM s
)
SELECT current_setting('server_version') AS version, current_user AS role, unusable, may_create,
  tbl IS NOT NULL AND seq IS NOT NULL AS present,
  coalesce(has_table_privilege(tbl, 'SELECT') AND has_table_privilege(tbl, 'INSERT')
    AND has_table_privilege(tbl, 'UPDATE') AND has_sequence_privilege(seq, 'USAGE'), false) AS usable
FROM t`;

interface Row {
  version: string;
  role: string;
  unusable: boolean;
  may_create: boolean;
  present: boolean;
  usable: boolean;
}

const DOCS = "the SQL in docs/backends/postgres.md";

/**
 * `leasehold doctor` for PostgreSQL: can we connect (and as whom, to what version), and is the
 * lease table there and usable, or creatable on first use by this role.
 */
export async function postgresDoctor(
  db: Connection,
  names: TableNames,
  where: string,
  errors: ErrorContext,
): Promise<DoctorCheck[]> {
  let row: Row;
  try {
    row = (await db.query<Row>(SQL, [names.schema, names.table, names.sequence])).rows[0]!;
  } catch (cause) {
    const e = translatePgError(cause, errors);
    return [
      { name: "connection", ok: false, detail: e.message, ...(e.hint ? { fix: e.hint } : {}) },
    ];
  }
  const connection = {
    name: "connection",
    ok: true,
    detail: `${where} as ${row.role}, PostgreSQL ${row.version}`,
  };
  return [connection, tableCheck(row, names)];
}

function tableCheck(row: Row, names: TableNames): DoctorCheck {
  const t = names.display;
  if (row.unusable) {
    return {
      name: "table",
      ok: false,
      detail: `${row.role} may not use schema ${names.schema}`,
      fix: `GRANT USAGE ON SCHEMA ${names.schema} TO ${row.role}; see ${DOCS}`,
    };
  }
  if (row.present) {
    return row.usable
      ? { name: "table", ok: true, detail: `${t} exists` }
      : {
          name: "table",
          ok: false,
          detail: `${t} exists but ${row.role} lacks SELECT, INSERT or UPDATE on it, or USAGE on its sequence`,
          fix: `grant them as in ${DOCS}`,
        };
  }
  return row.may_create
    ? { name: "table", ok: true, detail: `${t} will be created on first use` }
    : {
        name: "table",
        ok: false,
        detail: `${t} is missing and ${row.role} may not create it`,
        fix: `have an owner create it with ${DOCS}`,
      };
}
