import { BackendUnavailableError, ConfigError, type LeaseholdError } from "../../lease/errors.js";
import { awsTransportError } from "../aws-errors.js";

/** Expected answers that are not failures: a condition lost (contention), or no table yet. */
export type DynamoOutcome = "conflict" | "no-table";

/** Which backend and table an error came from, for messages. Never holds credentials. */
export interface ErrorContext {
  readonly backend: string;
  readonly table: string;
  readonly timeoutMs: number;
}

const AUTH_NAMES = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "AccessDeniedException",
  "ExpiredTokenException",
  "MissingAuthenticationTokenException",
  "CredentialsProviderError",
]);
const THROTTLE_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "LimitExceededException",
]);

/**
 * The one place DynamoDB SDK errors become leasehold outcomes (STYLE.md). A failed
 * ConditionExpression is contention ("conflict"), never an error; a missing table is "no-table"
 * so the caller can create it or explain; network, timeouts, auth, throttling and anything else
 * become a BackendUnavailableError naming the backend (exit 3), a missing region a ConfigError.
 */
export function classifyDynamoError(
  cause: unknown,
  ctx: ErrorContext,
): DynamoOutcome | LeaseholdError {
  const err = cause as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = err.name ?? "";
  const status = err.$metadata?.httpStatusCode;
  const where = `dynamodb backend "${ctx.backend}" (table ${ctx.table})`;
  if (name === "ConditionalCheckFailedException") return "conflict";
  if (name === "ResourceNotFoundException") return "no-table";
  const transport = awsTransportError(cause, where, ctx.backend, ctx.timeoutMs);
  if (transport) return transport;
  if (AUTH_NAMES.has(name) || status === 401 || status === 403) {
    return new BackendUnavailableError(
      `${where}: credentials refused or missing (${name || status})`,
      {
        cause,
        hint: `set access_key_id/secret_access_key or profile in [backend.${ctx.backend}], or the AWS_* environment`,
      },
    );
  }
  if (THROTTLE_NAMES.has(name)) {
    return new BackendUnavailableError(`${where}: throttled by DynamoDB (${name})`, {
      cause,
      hint: `retry later, use on-demand capacity, or raise max_attempts in [backend.${ctx.backend}]`,
    });
  }
  if (/region is missing/i.test(err.message ?? "")) {
    return new ConfigError(`${where}: no region configured`, {
      cause,
      hint: `set region in [backend.${ctx.backend}] or AWS_REGION`,
    });
  }
  const what =
    status === undefined
      ? (err.message ?? String(cause))
      : `HTTP ${status} ${name}${err.message ? `: ${err.message}` : ""}`;
  return new BackendUnavailableError(`${where}: ${what}`, {
    cause,
    hint: `check endpoint, region, table and credentials in [backend.${ctx.backend}]; run leasehold doctor`,
  });
}
