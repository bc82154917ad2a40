import { BackendUnavailableError } from "../../lease/errors.js";

/** Rejection used when an operation outlives the configured timeout. */
export class RedisTimeoutError extends Error {
  override name = "RedisTimeoutError";
}

/** What the translation needs to say where the failure happened, without credentials. */
export interface FailureContext {
  /** Configured backend name, e.g. `redis`. */
  readonly name: string;
  /** Where we connect, e.g. `127.0.0.1:6379` or `cluster 10.0.0.1:7000,…`; never a password. */
  readonly target: string;
  /** The timeout in force, for the message. */
  readonly timeoutMs: number;
  /** The last connection-level error ioredis emitted (ECONNREFUSED, TLS, …), if any. */
  readonly lastConnectionError?: Error | undefined;
}

/**
 * The one place ioredis errors become leasehold errors. Contention never reaches here (the
 * scripts return it as a value), so everything is "backend unavailable": the outcome of the
 * operation is unknown. The message says what went wrong in words an operator can act on.
 */
export function translateRedisError(ctx: FailureContext, cause: unknown): BackendUnavailableError {
  const where = `redis backend "${ctx.name}" (${ctx.target})`;
  const section = `[backend.${ctx.name}]`;
  const message = errorText(cause);
  const conn = ctx.lastConnectionError;
  if (/^(WRONGPASS|NOAUTH)|invalid (username-)?password|Authentication required/i.test(message)) {
    return new BackendUnavailableError(
      `${where}: authentication failed (${message.split("\n")[0]})`,
      {
        cause,
        hint: `check username and password (or the url's user:password) in ${section}`,
      },
    );
  }
  // NOPERM for a command we send; the other wording for a command a script calls (Redis 7).
  if (/^NOPERM|can't run this command|no permissions to access/i.test(message)) {
    return new BackendUnavailableError(
      `${where}: permission denied by the server's ACL: ${message}`,
      {
        cause,
        hint: `give the user the commands, keys (~PREFIX*) and channels (&PREFIX*) listed in docs/backends/redis.md, or check prefix in ${section}`,
      },
    );
  }
  if (
    cause instanceof RedisTimeoutError ||
    /Command timed out|ETIMEDOUT|timed? ?out/i.test(message)
  ) {
    return new BackendUnavailableError(`${where}: no answer within ${ctx.timeoutMs} ms`, {
      cause,
      hint: `check that Redis is up and reachable, or raise timeout in ${section}`,
    });
  }
  if (/^LOADING/.test(message)) {
    return new BackendUnavailableError(`${where}: Redis is still loading its dataset`, {
      cause,
      hint: "Redis answers once its data is loaded; try again shortly",
    });
  }
  if (isConnectionFailure(message)) {
    const why = conn ? `: ${errorText(conn)}` : "";
    return new BackendUnavailableError(`${where}: cannot connect${why}`, {
      cause: conn ?? cause,
      hint: `check that Redis is running and that url in ${section} is right`,
    });
  }
  return new BackendUnavailableError(`${where}: ${message}`, {
    cause,
    hint: `check the server's state and url in ${section}`,
  });
}

function isConnectionFailure(message: string): boolean {
  return /max retries per request|Connection is closed|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|None of startup nodes|Stream isn't writeable|Failed to refresh slots|aborted due to connection close/i.test(
    message,
  );
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
