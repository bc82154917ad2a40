import type { OptionSpec } from "./types.js";

/** Credential options shared by the AWS SDK backends (s3, dynamodb); unset: the SDK's chain. */
export const AWS_CREDENTIAL_OPTIONS: readonly OptionSpec[] = [
  {
    name: "profile",
    type: "string",
    description: "shared config/credentials profile to use instead of the default chain",
  },
  {
    name: "access_key_id",
    type: "string",
    description: "static access key id (with secret_access_key); prefer the default chain",
  },
  {
    name: "secret_access_key",
    type: "string",
    description: "static secret access key (with access_key_id)",
    secret: true,
  },
  {
    name: "session_token",
    type: "string",
    description: "session token for temporary static credentials",
    secret: true,
  },
];
