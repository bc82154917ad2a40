import { BackendUnavailableError, ConfigError, type LeaseholdError } from "../../lease/errors.js";
import { awsTransportError } from "../aws-errors.js";

/** Expected answers that are not failures: the object is absent, or a conditional write lost. */
export type S3Outcome = "missing" | "conflict" | "unknown";

/** Which backend and request an error came from, for messages. Never holds credentials. */
export interface ErrorContext {
  readonly backend: string;
  readonly bucket: string;
  readonly timeoutMs: number;
  /** A conditional PUT: a 5xx then means "may or may not have happened", not "down". */
  readonly write: boolean;
}

const CONFLICT_STATUS = new Set([409, 412]);
const AUTH_NAMES = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
]);

/**
 * The one place S3 SDK errors become leasehold outcomes (STYLE.md). 404 is "missing"; 412 and
 * 409 ConditionalRequestConflict are contention (a racing writer won), never an error; a 5xx on a
 * conditional PUT is "unknown" so the caller re-reads; everything else (network, timeouts, auth,
 * a missing bucket or region, a server without conditional writes) is a LeaseholdError to throw.
 */
export function classifyS3Error(cause: unknown, ctx: ErrorContext): S3Outcome | LeaseholdError {
  const err = cause as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = err.$metadata?.httpStatusCode;
  const name = err.name ?? "";
  const where = `s3 backend "${ctx.backend}" (bucket ${ctx.bucket})`;
  const check = `check endpoint, region, bucket, credentials and sse in [backend.${ctx.backend}]`;
  if (name === "NoSuchBucket") {
    return new BackendUnavailableError(`${where}: the bucket does not exist`, {
      cause,
      hint: `create it, or fix bucket in [backend.${ctx.backend}]`,
    });
  }
  if (status === 404 || name === "NoSuchKey" || name === "NotFound") return "missing";
  if (status !== undefined && CONFLICT_STATUS.has(status)) return "conflict";
  if (status === 501 || name === "NotImplemented") {
    return new BackendUnavailableError(
      `${where}: the server does not implement conditional writes (${name || status})`,
      {
        cause,
        hint: "leasehold needs If-None-Match/If-Match on PutObject: AWS S3, MinIO, Cloudflare R2 and Ceph RGW have them",
      },
    );
  }
  if (ctx.write && status !== undefined && status >= 500) return "unknown";
  const transport = awsTransportError(cause, where, ctx.backend, ctx.timeoutMs);
  if (transport) return transport;
  if (name === "RequestTimeTooSkewed") {
    // Only signing uses the local clock; the SDK re-syncs it from the server's Date and retries.
    return new BackendUnavailableError(
      `${where}: this machine's clock is too far from the server's to sign requests`,
      {
        cause,
        hint: `set max_attempts = 2 or more in [backend.${ctx.backend}] so the SDK can correct for it, or fix the clock`,
      },
    );
  }
  if (
    name === "CredentialsProviderError" ||
    AUTH_NAMES.has(name) ||
    status === 401 ||
    status === 403
  ) {
    return new BackendUnavailableError(
      `${where}: credentials refused or missing (${name || status})`,
      {
        cause,
        hint: `set access_key_id/secret_access_key or profile in [backend.${ctx.backend}], or the AWS_* environment`,
      },
    );
  }
  if (/region is missing/i.test(err.message ?? "")) {
    return new ConfigError(`${where}: no region configured`, {
      cause,
      hint: `set region in [backend.${ctx.backend}] or AWS_REGION`,
    });
  }
  // RGW leaves messages empty (the SDK then says "UnknownError"); AWS's are worth showing.
  const detail =
    err.message && !/^UnknownError$/i.test(err.message) && err.message !== name
      ? `: ${err.message}`
      : "";
  const what =
    status === undefined ? (err.message ?? String(cause)) : `HTTP ${status} ${name}${detail}`;
  return new BackendUnavailableError(`${where}: ${what}`, { cause, hint: check });
}
