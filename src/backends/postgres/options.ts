import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import type { ClientConfig } from "pg";
import { ConfigError } from "../../lease/errors.js";
import type { BackendContext, OptionSpec } from "../types.js";

/** Options of `[backend.postgres]` (or any section with `type = postgres`). */
export const options: readonly OptionSpec[] = [
  {
    name: "url",
    type: "string",
    secret: true,
    description:
      "connection URL, postgres://user:password@host:5432/db?sslmode=...; its parts win over host/port/user/password/database",
  },
  {
    name: "host",
    type: "string",
    description: "server host name or unix socket directory (libpq's PGHOST also works)",
  },
  { name: "port", type: "integer", description: "server port (PGPORT also works)" },
  { name: "user", type: "string", description: "role to connect as (PGUSER also works)" },
  {
    name: "password",
    type: "string",
    secret: true,
    description: "password; prefer ${VAR} or PGPASSWORD to writing it in the file",
  },
  { name: "database", type: "string", description: "database name (PGDATABASE also works)" },
  {
    name: "schema",
    type: "string",
    description: "schema holding the lease table; created if missing",
    default: "public",
  },
  {
    name: "table",
    type: "string",
    description: "lease table; created if missing, with a <table>_fence sequence",
    default: "leasehold_leases",
  },
  {
    name: "sslmode",
    type: "string",
    description:
      "disable, require (encrypt, no verification), verify-ca or verify-full; unset: the url's sslmode or PGSSLMODE",
  },
  {
    name: "ssl_ca",
    type: "path",
    description: "PEM file of the CA that signed the server's certificate",
  },
  {
    name: "ssl_cert",
    type: "path",
    description: "PEM client certificate, for certificate authentication",
  },
  { name: "ssl_key", type: "path", description: "PEM private key of ssl_cert", secret: true },
  {
    name: "statement_timeout",
    type: "duration",
    description: "server-side bound on each statement; default: the timeout option",
  },
  {
    name: "connect_timeout",
    type: "duration",
    description: "bound on connecting; default: the timeout option",
  },
];

/** Settings the backend derives from its options. */
export interface PostgresSettings {
  /** For pg's Client; the same for the query and the LISTEN connection. */
  readonly client: ClientConfig;
  readonly schema: string;
  readonly table: string;
  /** host:port/database for messages; never the URL (it may carry a password). */
  readonly where: string;
}

const SSL_MODES = ["disable", "require", "verify-ca", "verify-full"];

/**
 * Turns validated options into a pg client configuration. Per-operation bounds come from
 * `timeout` unless `statement_timeout` / `connect_timeout` narrow them.
 * @throws ConfigError for an unknown sslmode or an unreadable certificate file.
 */
export function settingsFrom(ctx: BackendContext): PostgresSettings {
  const o = ctx.options;
  const str = (k: string) =>
    typeof o[k] === "string" && o[k] !== "" ? (o[k] as string) : undefined;
  const num = (k: string) => (typeof o[k] === "number" ? (o[k] as number) : undefined);
  const statementMs = Math.min(num("statement_timeout") ?? ctx.timeoutMs, ctx.timeoutMs);
  const connectMs = Math.min(num("connect_timeout") ?? ctx.timeoutMs, ctx.timeoutMs);
  const client: ClientConfig = {
    application_name: "leasehold",
    connectionTimeoutMillis: Math.max(1, connectMs),
    statement_timeout: Math.max(1, statementMs),
    // Row locks are only ever held for one statement; waiting longer than that means trouble.
    lock_timeout: Math.max(1, statementMs),
    ...defined({
      connectionString: str("url"),
      host: str("host"),
      port: num("port"),
      user: str("user"),
      password: str("password"),
      database: str("database"),
    }),
  };
  const ssl = sslFrom(ctx.name, str("sslmode"), str("ssl_ca"), str("ssl_cert"), str("ssl_key"));
  if (ssl !== undefined) client.ssl = ssl;
  // An explicitly empty schema or table is passed on, to be refused, not replaced by the default.
  const ident = (k: string, fallback: string) =>
    typeof o[k] === "string" ? (o[k] as string) : fallback;
  return {
    client,
    schema: ident("schema", "public"),
    table: ident("table", "leasehold_leases"),
    where: describeTarget(client),
  };
}

function sslFrom(
  name: string,
  mode: string | undefined,
  ca?: string,
  cert?: string,
  key?: string,
): false | ConnectionOptions | undefined {
  if (mode === undefined && ca === undefined && cert === undefined && key === undefined)
    return undefined;
  const m = (mode ?? "verify-full").toLowerCase();
  if (!SSL_MODES.includes(m)) {
    throw new ConfigError(`[backend.${name}] sslmode: unknown mode ${JSON.stringify(mode)}`, {
      hint: `use one of ${SSL_MODES.join(", ")}`,
    });
  }
  if (m === "disable") return false;
  const tls: ConnectionOptions = { rejectUnauthorized: m !== "require" };
  // verify-ca checks the chain but, like libpq, not that the name matches the host.
  if (m === "verify-ca") tls.checkServerIdentity = () => undefined;
  if (ca !== undefined) tls.ca = readPem(name, "ssl_ca", ca);
  if (cert !== undefined) tls.cert = readPem(name, "ssl_cert", cert);
  if (key !== undefined) tls.key = readPem(name, "ssl_key", key);
  return tls;
}

function readPem(name: string, key: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    throw new ConfigError(
      `[backend.${name}] ${key}: cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
      {
        cause,
        hint: "give a readable PEM file path",
      },
    );
  }
}

/** host:port/database, from the URL when there is one; credentials are left out. */
function describeTarget(c: ClientConfig): string {
  let host = c.host ?? process.env.PGHOST ?? "localhost";
  let port = String(c.port ?? process.env.PGPORT ?? 5432);
  let db = c.database ?? process.env.PGDATABASE ?? c.user ?? process.env.PGUSER ?? "";
  if (c.connectionString) {
    try {
      const u = new URL(c.connectionString);
      host = decodeURIComponent(u.hostname) || u.searchParams.get("host") || host;
      port = u.port || port;
      db = decodeURIComponent(u.pathname.replace(/^\//, "")) || db;
    } catch {
      return "(unparsable url)";
    }
  }
  return `${host}:${port}/${db}`;
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
