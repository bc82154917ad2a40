import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { ConfigError } from "../../lease/errors.js";
import { awsClientBasics } from "../aws-client.js";
import type { BackendContext } from "../types.js";

/** Longest prefix that leaves room for the longest encoded resource name in a 1024-byte key. */
const MAX_PREFIX_BYTES = 1024 - 683;

/** The validated settings of one `[backend.NAME]` section of type s3. */
export interface S3Settings {
  readonly bucket: string;
  readonly prefix: string;
  readonly sse: "AES256" | "aws:kms" | undefined;
  readonly kmsKeyId: string | undefined;
  readonly client: S3ClientConfig;
}

/**
 * Turns options into S3Client settings (endpoint, credentials and request bounds as in
 * aws-client.ts).
 * @throws ConfigError for a missing bucket, half a key pair, or an unknown `sse`.
 */
export function readSettings(ctx: BackendContext): S3Settings {
  const o = ctx.options;
  const str = (k: string) =>
    typeof o[k] === "string" && o[k] !== "" ? (o[k] as string) : undefined;
  const bucket = str("bucket");
  if (!bucket) {
    throw new ConfigError(`[backend.${ctx.name}] bucket is required for an s3 backend`, {
      hint: `add bucket = my-bucket to [backend.${ctx.name}]`,
    });
  }
  const sse = parseSse(ctx.name, str("sse"), str("kms_key_id"));
  const client: S3ClientConfig = {
    ...awsClientBasics(ctx),
    forcePathStyle: o.force_path_style === true,
    // Payloads are small strings; the newer default checksum headers are refused by some
    // S3-compatible servers (Ceph RGW 16 with streamed bodies), and ETags cover integrity.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
  const prefix = (o.prefix as string | undefined) ?? "leasehold/";
  // S3 keys are at most 1024 bytes; a 512-byte resource name takes 683 of them encoded.
  if (Buffer.byteLength(prefix, "utf8") > MAX_PREFIX_BYTES) {
    throw new ConfigError(`[backend.${ctx.name}] prefix is longer than ${MAX_PREFIX_BYTES} bytes`, {
      hint: "S3 keys hold at most 1024 bytes and a resource name may need 683 of them",
    });
  }
  return { bucket, prefix, sse: sse.sse, kmsKeyId: sse.kmsKeyId, client };
}

function parseSse(name: string, sse: string | undefined, kmsKeyId: string | undefined) {
  const mode = sse ?? (kmsKeyId !== undefined ? "aws:kms" : undefined);
  if (mode !== undefined && mode !== "AES256" && mode !== "aws:kms") {
    throw new ConfigError(
      `[backend.${name}] sse must be AES256 or aws:kms, found ${JSON.stringify(mode)}`,
    );
  }
  return { sse: mode as "AES256" | "aws:kms" | undefined, kmsKeyId };
}

/**
 * Creates the SDK client, adding the response's `Date` header to every output and error as
 * `$serverDate`: the server's clock is the only clock leasehold trusts for expiry.
 */
export function createClient(config: S3ClientConfig): S3Client {
  // The SDK's Node-version notice would be the only line a CLI user sees on stderr for every run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const client = new S3Client(config);
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args);
        const date = (result.response as { headers?: Record<string, string> }).headers?.date;
        if (result.output && date) Object.assign(result.output, { $serverDate: date });
        return result;
      } catch (e) {
        const date = (e as { $response?: { headers?: Record<string, string> } }).$response?.headers
          ?.date;
        if (e && typeof e === "object" && date) Object.assign(e, { $serverDate: date });
        throw e;
      }
    },
    { step: "build", name: "leaseholdServerDate" },
  );
  return client;
}
