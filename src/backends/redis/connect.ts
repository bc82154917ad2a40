import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ConnectionOptions } from "node:tls";
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import { ConfigError } from "../../lease/errors.js";
import type { OptionValues } from "../types.js";

/** How far past `timeout` ioredis's own per-command timer fires when command_timeout is unset. */
const COMMAND_TIMEOUT_GRACE_MS = 1000;

/** How the backend reaches Redis, resolved from `[backend.NAME]`. */
export interface Connection {
  /** A command client for the configured topology, not yet connected (it connects on first use). */
  readonly client: Redis | Cluster;
  /** Where it connects, for messages; never contains credentials. */
  readonly target: string;
}

/**
 * Builds an ioredis client from validated options. ioredis retries and queues forever by
 * default; here every command is bounded: `commandTimeout` covers a server that accepts the
 * connection but never answers (stopped with SIGSTOP), `maxRetriesPerRequest: 0` fails queued
 * commands as soon as one connection attempt fails, and unanswered commands are not re-sent
 * after a reconnect (the caller has already been told the outcome is unknown).
 * @throws ConfigError for a malformed url, `host:port` list or unreadable TLS file.
 */
export function connect(name: string, o: OptionValues, timeoutMs: number): Connection {
  const url = parseUrl(name, str(o.url) ?? "redis://127.0.0.1:6379");
  const tls = tlsOptions(name, o, url.tls);
  const auth = {
    ...optional("username", str(o.username) ?? url.username),
    ...optional("password", str(o.password) ?? url.password),
  };
  const common: RedisOptions = {
    lazyConnect: true,
    connectTimeout: num(o.connect_timeout) ?? timeoutMs,
    // By default a little past the operation's own bound (backend.ts), which reports the
    // timeout; this one only keeps unanswered commands from lingering.
    commandTimeout: num(o.command_timeout) ?? timeoutMs + COMMAND_TIMEOUT_GRACE_MS,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // CLIENT SETINFO costs two commands per connection and tells the server nothing we need.
    disableClientInfo: true,
    // The ready check is an INFO round trip before every first command, to wait out a server
    // still loading its dataset; a command sent then fails with LOADING instead, which is
    // reported as unavailable (a CLI call) or retried until the deadline (a renewal).
    enableReadyCheck: false,
    // After disconnect() ioredis waits this long for the server to close its end before
    // destroying the socket (default 2 s); a frozen server never does, and the open socket
    // would keep a library caller's process alive after close().
    disconnectTimeout: 100,
    ...auth,
    ...(tls ? { tls } : {}),
  };
  const cluster = list(o.cluster);
  if (cluster.length > 0) {
    if (num(o.db))
      throw new ConfigError(
        `[backend.${name}] db cannot be used with cluster: Redis Cluster has only database 0`,
      );
    const nodes = cluster.map((hp) => hostPort(name, "cluster", hp));
    const options: ClusterOptions = {
      lazyConnect: true,
      redisOptions: common,
      // Keep reconnecting in the background (a long-running `run` must survive a restart);
      // each command is still bounded by the timeouts above and by the backend's own deadline.
      clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
      slotsRefreshTimeout: common.connectTimeout ?? timeoutMs,
      scaleReads: "master",
      // With TLS, keep host names as given so certificates are checked against them, not an IP.
      ...(tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    };
    return { client: new Cluster(nodes, options), target: `cluster ${cluster.join(",")}` };
  }
  const db = num(o.db) ?? url.db;
  const sentinels = list(o.sentinels);
  const retryStrategy = (times: number) => Math.min(100 * times, 2000);
  if (sentinels.length > 0) {
    const masterName = str(o.sentinel_name);
    if (!masterName)
      throw new ConfigError(`[backend.${name}] sentinels is set but sentinel_name is not`, {
        hint: "set sentinel_name to the monitored master's name (e.g. mymaster)",
      });
    const client = new Redis({
      ...common,
      db,
      sentinels: sentinels.map((hp) => hostPort(name, "sentinels", hp)),
      name: masterName,
      retryStrategy,
      sentinelRetryStrategy: (times) => (times > 2 ? null : 100 * times),
      ...(tls ? { enableTLSForSentinelMode: true } : {}),
    });
    return { client, target: `sentinel ${masterName} via ${sentinels.join(",")}` };
  }
  const client = new Redis({ ...common, host: url.host, port: url.port, db, retryStrategy });
  return { client, target: `${url.host}:${url.port}${db ? `/${db}` : ""}` };
}

interface ParsedUrl {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username: string | undefined;
  password: string | undefined;
}

function parseUrl(name: string, text: string): ParsedUrl {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ConfigError(`[backend.${name}] url is not a URL`, {
      hint: "use redis://host:6379 or rediss://user:password@host:6380/0",
    });
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new ConfigError(
      `[backend.${name}] url must start with redis:// or rediss://, not ${u.protocol}//`,
    );
  }
  const path = u.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d+$/.test(path))
    throw new ConfigError(
      `[backend.${name}] url path must be a database number, e.g. redis://host:6379/2`,
    );
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    db: path === "" ? 0 : Number(path),
    tls: u.protocol === "rediss:",
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
  };
}

/** TLS when the url says rediss:// or any tls_* option is set. */
function tlsOptions(
  name: string,
  o: OptionValues,
  fromUrl: boolean,
): ConnectionOptions | undefined {
  const read = (key: string) => {
    const path = str(o[key]);
    if (path === undefined) return undefined;
    try {
      return readFileSync(resolve(path));
    } catch (cause) {
      throw new ConfigError(
        `[backend.${name}] ${key}: cannot read ${path}: ${(cause as Error).message}`,
        { cause },
      );
    }
  };
  const ca = read("tls_ca");
  const cert = read("tls_cert");
  const key = read("tls_key");
  const servername = str(o.tls_servername);
  const reject = o.tls_reject_unauthorized;
  // tls_reject_unauthorized has a default, so it alone does not turn TLS on.
  if (!fromUrl && !ca && !cert && !key && servername === undefined) return undefined;
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(servername !== undefined ? { servername } : {}),
    ...(typeof reject === "boolean" ? { rejectUnauthorized: reject } : {}),
  };
}

function hostPort(name: string, key: string, text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text);
  if (!m)
    throw new ConfigError(
      `[backend.${name}] ${key}: expected host:port, found ${JSON.stringify(text)}`,
    );
  return { host: m[1]!, port: Number(m[2]) };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

const str = (v: OptionValues[string]) => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: OptionValues[string]) => (typeof v === "number" ? v : undefined);
const list = (v: OptionValues[string]) => (Array.isArray(v) ? v : []);
