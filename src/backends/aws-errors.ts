import { BackendUnavailableError } from "../lease/errors.js";

/** What an AWS SDK error carries that tells a network failure or a timeout apart. */
interface SdkError {
  readonly name?: string;
  readonly code?: string;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);
const TIMEOUT_NAMES = new Set(["AbortError", "TimeoutError", "RequestTimeout"]);

/**
 * A request that never got an answer, alike for every AWS SDK client (s3, dynamodb): the
 * endpoint could not be reached, or did not answer within the backend's timeout. Undefined for
 * any other error, which the backend's own translation handles.
 * @param where the backend and what it addresses, e.g. `s3 backend "s3" (bucket leases)`
 */
export function awsTransportError(
  cause: unknown,
  where: string,
  backend: string,
  timeoutMs: number,
): BackendUnavailableError | undefined {
  const err = (cause ?? {}) as SdkError;
  if (NETWORK_CODES.has(err.code ?? "")) {
    return new BackendUnavailableError(`${where}: cannot connect (${err.code})`, {
      cause,
      hint: `check that endpoint and region in [backend.${backend}] are right and the server is up`,
    });
  }
  if (TIMEOUT_NAMES.has(err.name ?? "") || err.code === "ETIMEDOUT") {
    return new BackendUnavailableError(
      `${where}: no answer within ${timeoutMs / 1000}s (${err.code ?? err.name})`,
      {
        cause,
        hint: `check that the endpoint is reachable, or raise timeout in [backend.${backend}]`,
      },
    );
  }
  return undefined;
}
