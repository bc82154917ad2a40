import { AWS_REQUEST_OPTIONS } from "../aws-client.js";
import { AWS_CREDENTIAL_OPTIONS } from "../aws-credentials.js";
import type { Backend, BackendContext, OptionSpec } from "../types.js";
import { S3Backend } from "./backend.js";
import { createClient, readSettings } from "./client.js";
import { ObjectStore } from "./store.js";

/**
 * Options of an s3 backend (`[backend.s3]`, or any section with `type = s3`). Credentials come
 * from the AWS SDK's default chain (environment, shared profile, SSO, instance/container roles)
 * unless `profile` or a key pair is given here; keys belong in the config file (or `${VAR}`),
 * never on a command line.
 */
export const options: readonly OptionSpec[] = [
  {
    name: "bucket",
    type: "string",
    description: "bucket that holds the lease objects (required)",
    env: "LEASEHOLD_S3_BUCKET",
  },
  {
    name: "prefix",
    type: "string",
    description: "key prefix for leasehold's objects; give each team or tool its own",
    default: "leasehold/",
  },
  {
    name: "region",
    type: "string",
    description:
      "bucket region; defaults to the SDK chain (AWS_REGION, profile), or us-east-1 with a custom endpoint",
  },
  {
    name: "endpoint",
    type: "string",
    description: "URL of an S3-compatible server (MinIO, Ceph RGW, Cloudflare R2); omit for AWS S3",
  },
  {
    name: "force_path_style",
    type: "boolean",
    description: "address buckets as endpoint/bucket instead of bucket.endpoint (MinIO, Ceph RGW)",
    default: "false",
  },
  ...AWS_CREDENTIAL_OPTIONS,
  {
    name: "sse",
    type: "string",
    description:
      "server-side encryption for lease objects: AES256 or aws:kms (for buckets that deny unencrypted puts)",
  },
  {
    name: "kms_key_id",
    type: "string",
    description: "KMS key id or ARN for sse = aws:kms (implies it)",
  },
  ...AWS_REQUEST_OPTIONS,
];

/**
 * Creates an S3 backend. Nothing is sent yet: the conditional-write check runs before the first
 * write, and `doctor` probes afresh.
 * @throws ConfigError for a missing bucket or inconsistent credentials/encryption options.
 * @example
 * const backend = await create({ name: "s3", timeoutMs: 10_000, options: { bucket: "locks", prefix: "leasehold/" } });
 */
export async function create(ctx: BackendContext): Promise<Backend> {
  const settings = readSettings(ctx);
  const store = new ObjectStore(createClient(settings.client), {
    backend: ctx.name,
    bucket: settings.bucket,
    timeoutMs: ctx.timeoutMs,
    sse: settings.sse,
    kmsKeyId: settings.kmsKeyId,
  });
  return new S3Backend(store, settings.prefix, ctx.timeoutMs);
}
