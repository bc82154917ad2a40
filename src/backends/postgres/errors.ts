import { BackendUnavailableError, LeaseholdError } from "../../lease/errors.js";

/** Where an error happened, for the message: never the URL, which may carry a password. */
export interface ErrorContext {
  /** The configured backend name, e.g. `postgres`. */
  readonly backend: string;
  /** host:port/database */
  readonly where: string;
  /** schema.table */
  readonly table: string;
}

/** Thrown by our own deadline when connect + statement ran past the timeout. */
export class DeadlineError extends Error {
  override name = "DeadlineError";
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/**
 * The one place where pg and socket errors become leasehold errors. None of our statements
 * reports contention as an error (a held resource is a row, not a failure), so everything that
 * arrives here means the backend could not do the work: unreachable, refused, timed out,
 * missing privileges. The outcome of a write that failed this way is unknown.
 */
export function translatePgError(cause: unknown, ctx: ErrorContext): LeaseholdError {
  if (cause instanceof LeaseholdError) return cause;
  const err = cause as { code?: string; message?: string };
  const code = err.code ?? "";
  const message = (err.message ?? String(cause)).split("\n")[0];
  const section = `[backend.${ctx.backend}]`;
  return new BackendUnavailableError(`postgres backend ${ctx.backend} (${ctx.where}): ${message}`, {
    cause,
    hint: hintFor(code, cause, section, ctx.table),
  });
}

function hintFor(code: string, cause: unknown, section: string, table: string): string {
  if (cause instanceof DeadlineError) {
    return `the server did not answer in time; check that it is up, or raise timeout in ${section}`;
  }
  switch (code) {
    case "28P01":
      return `the server refused the password; check user and password (or url) in ${section}, or PGPASSWORD`;
    case "28000":
      // pg_hba.conf had no line for this user, database, address and encryption.
      return `the server refused the login (pg_hba.conf); check user, database and sslmode in ${section}`;
    case "3D000":
      return `the database does not exist; check database (or url) in ${section}`;
    case "42501":
      return `the role lacks a privilege on ${table}; grant it, or have an owner create the table (SQL in docs/backends/postgres.md)`;
    case "57014":
      return `a statement ran past statement_timeout; the server may be overloaded, or raise statement_timeout in ${section}`;
    case "55P03":
      return `a row stayed locked past the timeout; retry, or raise timeout in ${section}`;
    case "25006":
      return `the server is a read-only standby; point ${section} at the primary`;
    case "53300":
      return "the server has no free connection slots; retry, or raise max_connections";
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "ERR_TLS_CERT_ALTNAME_INVALID":
    case "CERT_HAS_EXPIRED":
      return `the server's certificate did not verify; set ssl_ca in ${section} to the CA that signed it (or sslmode = verify-ca if the name differs)`;
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `cannot reach the server; check that it is running and host/port (or url) in ${section}`;
  }
  if (code.startsWith("08") || code.startsWith("57P")) {
    return `the connection broke or the server is shutting down; retry, and check the server`;
  }
  if (code.startsWith("42") || code === "23502" || code === "23514") {
    return `${table} does not look like a leasehold table; compare it with the SQL in docs/backends/postgres.md`;
  }
  return `check that the server is up and reachable, and the settings in ${section}`;
}
