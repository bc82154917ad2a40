import {
  ClientClosedError,
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdPermissionDeniedError,
  GRPCDeadlineExceededError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
} from "etcd3";
import { BackendUnavailableError } from "../../lease/errors.js";

/** Where an error happened, for the message: backend name, endpoints, the operation. */
export interface ErrorScope {
  readonly name: string;
  readonly endpoints: readonly string[];
}

/**
 * True for failures worth one more attempt on another member: the member is down, was
 * partitioned, or lost its leader. Whether the first attempt was applied is unknown, so every
 * operation that retries is written to be safe when it was (see EtcdBackend).
 */
export function isRetryable(cause: unknown): boolean {
  return cause instanceof GRPCUnavailableError || cause instanceof GRPCDeadlineExceededError;
}

/**
 * The one place etcd3 and gRPC errors become leasehold errors. Every failure that reaches here
 * means the outcome is unknown or the cluster refused us, so it is `BackendUnavailableError`
 * (exit 3), never "held" or "not held". A closed client is our own bug and stays as it is.
 * Messages name the backend and operation; never the password.
 */
export function translateEtcdError(scope: ErrorScope, what: string, cause: unknown): Error {
  if (cause instanceof BackendUnavailableError || cause instanceof ClientClosedError) return cause;
  const section = `[backend.${scope.name}]`;
  const where = `etcd backend ${scope.name} (${scope.endpoints.map(redact).join(", ")})`;
  const detail = oneLine((cause as Error)?.message ?? String(cause));
  if (
    cause instanceof EtcdAuthenticationFailedError ||
    cause instanceof EtcdInvalidAuthTokenError ||
    cause instanceof GRPCUnauthenticatedError
  ) {
    return new BackendUnavailableError(`${where}: ${what}: authentication refused`, {
      cause,
      hint: `check username and password in ${section}`,
    });
  }
  if (cause instanceof EtcdPermissionDeniedError) {
    return new BackendUnavailableError(`${where}: ${what}: permission denied`, {
      cause,
      hint: `grant the etcd user read/write on the keys under prefix in ${section}`,
    });
  }
  if (cause instanceof GRPCDeadlineExceededError) {
    return new BackendUnavailableError(`${where}: ${what} timed out; the outcome is unknown`, {
      cause,
      hint: `check that etcd is up and has a leader, or raise timeout / command_timeout in ${section}`,
    });
  }
  if (cause instanceof GRPCUnavailableError) {
    return new BackendUnavailableError(`${where}: ${what}: cluster unavailable (${detail})`, {
      cause,
      hint: `check endpoints in ${section} and that etcd is running with a quorum`,
    });
  }
  return new BackendUnavailableError(`${where}: ${what} failed: ${detail}`, {
    cause,
    hint: `check endpoints and TLS settings in ${section}`,
  });
}

/** Drops user:password@ from a URL so it never reaches a message. */
function redact(endpoint: string): string {
  return endpoint.replace(/\/\/[^/@]*@/, "//");
}

function oneLine(text: string): string {
  // gRPC appends an empty "Resolution note:" to connection errors; it says nothing to a user.
  return text
    .replace(/\s+/g, " ")
    .replace(/\.? ?Resolution note:\s*$/, "")
    .trim()
    .slice(0, 300);
}
