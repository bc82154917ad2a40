import { ConfigError } from "../lease/errors.js";
import type { BackendContext, OptionSpec } from "./types.js";

/** Per-request bounds shared by the AWS SDK backends (s3, dynamodb). */
export const AWS_REQUEST_OPTIONS: readonly OptionSpec[] = [
  {
    name: "request_timeout",
    type: "duration",
    description: "bound for one HTTP request; never more than timeout",
  },
  {
    name: "max_attempts",
    type: "integer",
    description: "attempts per request, retries included, all within timeout",
    default: "3",
  },
];

/** The part of an AWS SDK client's settings both backends read from their section alike. */
export interface AwsClientBasics {
  readonly endpoint?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  readonly maxAttempts: number;
  readonly requestHandler: {
    readonly connectionTimeout: number;
    readonly requestTimeout: number;
    readonly throwOnRequestTimeout: true;
  };
}

/**
 * Endpoint, region, credentials and request bounds from an s3 or dynamodb section. Every
 * request is bounded: a connect timeout and a per-request timeout no longer than the backend
 * `timeout`, and few attempts, so a dead endpoint fails within the bound instead of retrying for
 * minutes. Unset credentials leave the SDK's default chain in charge.
 * @throws ConfigError for half a key pair, or a profile together with keys.
 */
export function awsClientBasics(ctx: BackendContext): AwsClientBasics {
  const o = ctx.options;
  const str = (k: string) =>
    typeof o[k] === "string" && o[k] !== "" ? (o[k] as string) : undefined;
  const keyId = str("access_key_id");
  const secret = str("secret_access_key");
  const profile = str("profile");
  const sessionToken = str("session_token");
  if ((keyId === undefined) !== (secret === undefined)) {
    throw new ConfigError(
      `[backend.${ctx.name}] access_key_id and secret_access_key must be set together`,
    );
  }
  if (keyId !== undefined && profile !== undefined) {
    throw new ConfigError(
      `[backend.${ctx.name}] set either profile or access_key_id/secret_access_key, not both`,
    );
  }
  const endpoint = str("endpoint");
  const region =
    str("region") ?? (endpoint !== undefined && !process.env.AWS_REGION ? "us-east-1" : undefined);
  const requestMs = Math.min(
    (o.request_timeout as number | undefined) ?? ctx.timeoutMs,
    ctx.timeoutMs,
  );
  return {
    maxAttempts: Math.max(1, (o.max_attempts as number | undefined) ?? 3),
    // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes.
    requestHandler: {
      connectionTimeout: Math.min(requestMs, 3000),
      requestTimeout: requestMs,
      throwOnRequestTimeout: true,
    },
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(profile !== undefined ? { profile } : {}),
    ...(keyId !== undefined && secret !== undefined
      ? {
          credentials: {
            accessKeyId: keyId,
            secretAccessKey: secret,
            ...(sessionToken !== undefined ? { sessionToken } : {}),
          },
        }
      : {}),
  };
}
