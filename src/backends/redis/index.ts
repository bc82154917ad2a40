import type { Backend, BackendContext, OptionSpec } from "../types.js";
import { RedisBackend } from "./backend.js";
import { connect } from "./connect.js";

/** Options of `[backend.redis]` (or any `[backend.NAME]` with `type = redis`). */
export const options: readonly OptionSpec[] = [
  {
    name: "url",
    type: "string",
    description: "redis:// or rediss:// (TLS) URL; may carry user:password and /db",
    default: "redis://127.0.0.1:6379",
    env: "LEASEHOLD_REDIS_URL",
  },
  { name: "username", type: "string", description: "ACL user (overrides the url's)" },
  {
    name: "password",
    type: "string",
    description: "password (overrides the url's); prefer ${VAR} to writing it in the file",
    env: "LEASEHOLD_REDIS_PASSWORD",
    secret: true,
  },
  {
    name: "db",
    type: "integer",
    description: "database number (standalone and Sentinel only; overrides the url's)",
  },
  {
    name: "prefix",
    type: "string",
    description: "prefix of every key and channel leasehold uses",
    default: "leasehold:",
  },
  {
    name: "tls_ca",
    type: "path",
    description: "PEM file of the CA that signed the server's certificate (turns TLS on)",
  },
  {
    name: "tls_cert",
    type: "path",
    description: "PEM client certificate, for servers that require one (turns TLS on)",
  },
  { name: "tls_key", type: "path", description: "PEM private key of tls_cert" },
  {
    name: "tls_servername",
    type: "string",
    description: "name to check the server's certificate against, when it differs from the host",
  },
  {
    name: "tls_reject_unauthorized",
    type: "boolean",
    description: "refuse servers whose certificate does not verify; turn off only for testing",
    default: "true",
  },
  {
    name: "connect_timeout",
    type: "duration",
    description: "bound on opening a connection (default: timeout)",
  },
  {
    name: "command_timeout",
    type: "duration",
    description:
      "bound on one command's answer at the connection level (default: timeout + 1s; the whole operation is bounded by timeout)",
  },
  {
    name: "sentinels",
    type: "list",
    description: "Sentinel mode: comma-separated host:port of the sentinels",
  },
  {
    name: "sentinel_name",
    type: "string",
    description: "Sentinel mode: name of the monitored master",
  },
  {
    name: "cluster",
    type: "list",
    description:
      "Cluster mode: comma-separated host:port of some cluster nodes (replaces url's host)",
  },
];

/**
 * Creates the Redis backend. Nothing is connected yet: the first operation connects, so a
 * command that fails validation never touches the network.
 * @throws ConfigError for a malformed url, node list or unreadable TLS file.
 * @example
 * const backend = await create({ name: "redis", options: { url: "redis://127.0.0.1:6379", prefix: "leasehold:" }, timeoutMs: 10_000 });
 */
export async function create(ctx: BackendContext): Promise<Backend> {
  const { client, target } = connect(ctx.name, ctx.options, ctx.timeoutMs);
  const prefix = typeof ctx.options.prefix === "string" ? ctx.options.prefix : "leasehold:";
  return new RedisBackend(ctx.name, client, target, prefix, ctx.timeoutMs);
}
