import { ConfigError } from "../../lease/errors.js";
import type { Backend, BackendContext, OptionSpec } from "../types.js";
import { EtcdBackend } from "./backend.js";
import { EtcdConnection } from "./connection.js";

/** The endpoint used when neither `endpoints` nor `host` is set. */
export const DEFAULT_ENDPOINT = "http://127.0.0.1:2379";

/** Options of `[backend.etcd]` (or any section with `type = etcd`). */
export const options: readonly OptionSpec[] = [
  {
    name: "endpoints",
    type: "list",
    description: `comma-separated client URLs of the cluster's members (http:// or https://); default ${DEFAULT_ENDPOINT}`,
    env: "LEASEHOLD_ETCD_ENDPOINTS",
  },
  {
    name: "host",
    type: "string",
    description:
      "one member as host or host:port (port 2379), for stormlock configs; endpoints wins",
  },
  {
    name: "prefix",
    type: "string",
    description: "key prefix under which leases are stored",
    default: "/leasehold/",
  },
  { name: "username", type: "string", description: "etcd user, when the cluster has auth enabled" },
  {
    name: "password",
    type: "string",
    description: "password of that user",
    env: "LEASEHOLD_ETCD_PASSWORD",
    secret: true,
  },
  {
    name: "ca",
    type: "path",
    description: "PEM file of the CA that signed the members' certificates (turns TLS on)",
  },
  { name: "cert", type: "path", description: "PEM client certificate for mutual TLS (with key)" },
  {
    name: "key",
    type: "path",
    description: "PEM private key of the client certificate (with cert)",
  },
  {
    name: "dial_timeout",
    type: "duration",
    description: "extra time allowed for connecting, until the first call succeeds",
    default: "2s",
  },
  {
    name: "command_timeout",
    type: "duration",
    description:
      "bound on one request to one member; the common timeout bounds the whole operation, retries included",
    default: "5s",
  },
];

/**
 * Creates the etcd backend. Connects lazily: the first operation dials the cluster.
 * @throws ConfigError for malformed endpoints, half a client certificate, unreadable PEM files.
 * @example
 * // [backend.etcd]
 * // endpoints = http://10.0.0.1:2379,http://10.0.0.2:2379,http://10.0.0.3:2379
 */
export async function create(ctx: BackendContext): Promise<Backend> {
  const o = ctx.options;
  const endpoints = resolveEndpoints(
    ctx.name,
    o.endpoints as string[] | undefined,
    o.host as string | undefined,
  );
  const prefix = (o.prefix as string | undefined) ?? "/leasehold/";
  if (prefix.includes("\0"))
    throw new ConfigError(`[backend.${ctx.name}] prefix: must not contain NUL`);
  const conn = new EtcdConnection({
    name: ctx.name,
    endpoints,
    username: o.username as string | undefined,
    password: o.password as string | undefined,
    ca: o.ca as string | undefined,
    cert: o.cert as string | undefined,
    key: o.key as string | undefined,
    timeoutMs: ctx.timeoutMs,
    commandTimeoutMs: (o.command_timeout as number | undefined) ?? 5000,
    dialTimeoutMs: (o.dial_timeout as number | undefined) ?? 2000,
  });
  return new EtcdBackend(conn, prefix);
}

/** `endpoints`, else `host`, else the local default; each checked and given a scheme. */
function resolveEndpoints(
  name: string,
  endpoints: string[] | undefined,
  host: string | undefined,
): string[] {
  const raw =
    endpoints && endpoints.length > 0
      ? endpoints
      : host
        ? [host.includes(":") ? host : `${host}:2379`]
        : [DEFAULT_ENDPOINT];
  const urls = raw.map((e) =>
    (/^[a-z][a-z0-9+.-]*:\/\//i.test(e) ? e : `http://${e}`).replace(/\/+$/, ""),
  );
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(`[backend.${name}] endpoints: ${JSON.stringify(url)} is not a URL`, {
        hint: "write members as http://host:2379",
      });
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new ConfigError(`[backend.${name}] endpoints: ${parsed.protocol}// is not supported`, {
        hint: "use http:// or https:// URLs",
      });
    }
    if (parsed.pathname !== "/" && parsed.pathname !== "") {
      throw new ConfigError(
        `[backend.${name}] endpoints: ${JSON.stringify(url)} has a path; etcd takes host:port only`,
      );
    }
  }
  const secure = urls.filter((u) => u.startsWith("https:")).length;
  if (secure > 0 && secure < urls.length) {
    throw new ConfigError(`[backend.${name}] endpoints: mixes http:// and https:// members`, {
      hint: "use one scheme for every member",
    });
  }
  return urls;
}
