import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { BackendUnavailableError, LeaseholdError } from "../../lease/errors.js";
import { classifyS3Error, type ErrorContext } from "./errors.js";
import { decodeRecord, encodeRecord, type Snapshot, type StoredRecord } from "./record.js";

/** How a write is guarded: create-only, or replace exactly the version with this ETag. */
export type WriteCondition = { readonly ifNoneMatch: true } | { readonly ifMatch: string };

/** A raw object as read, for the marker and probes. */
export interface RawObject {
  readonly text: string | undefined;
  readonly etag: string | undefined;
}

/** A write the server accepted: the new ETag and the server's clock at that moment. */
export interface Written {
  readonly etag: string;
  readonly serverNowMs: number;
}

/** Where objects live and how to reach them. */
export interface StoreConfig {
  readonly backend: string;
  readonly bucket: string;
  readonly timeoutMs: number;
  readonly sse: "AES256" | "aws:kms" | undefined;
  readonly kmsKeyId: string | undefined;
}

/**
 * The few S3 requests leasehold makes, each one round trip, each bounded by `signal`, each error
 * passed through `classifyS3Error`. Conditional-write losers come back as values, not throws.
 */
export class ObjectStore {
  /** Ceph RGW only matches an unquoted ETag in If-Match; AWS accepts both. Set by the probe. */
  quoteIfMatch = false;

  constructor(
    readonly client: S3Client,
    readonly config: StoreConfig,
  ) {}

  /** GETs a lease object: its record, ETag, Last-Modified and the server's Date. */
  async read(key: string, signal: AbortSignal): Promise<Snapshot> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.config.bucket, Key: key }),
        { abortSignal: signal },
      );
      const text = (await out.Body?.transformToString("utf8")) ?? "";
      const record = decodeRecord(text);
      const serverNowMs = serverDate(out);
      if (Number.isNaN(serverNowMs) || out.LastModified === undefined) {
        throw new BackendUnavailableError(
          `s3 backend "${this.config.backend}": the server sent no Date or Last-Modified header`,
          {
            hint: "leasehold judges expiry by the server's clock only; use an S3 server (or proxy) that sends Date",
          },
        );
      }
      if (!record) {
        throw new BackendUnavailableError(
          `s3 backend "${this.config.backend}": object ${key} in bucket ${this.config.bucket} is not a leasehold lease record`,
          {
            hint: "another program writes under this prefix: choose a prefix of its own for leasehold",
          },
        );
      }
      return { record, etag: out.ETag, lastModifiedMs: out.LastModified.getTime(), serverNowMs };
    } catch (e) {
      this.#outcome(e, false);
      return {
        record: undefined,
        etag: undefined,
        lastModifiedMs: Number.NaN,
        serverNowMs: serverDate(e),
      };
    }
  }

  /** GETs any object as text (the marker); undefined text when absent. */
  async readRaw(key: string, signal: AbortSignal): Promise<RawObject> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.config.bucket, Key: key }),
        { abortSignal: signal },
      );
      return { text: (await out.Body?.transformToString("utf8")) ?? "", etag: out.ETag };
    } catch (e) {
      this.#outcome(e, false);
      return { text: undefined, etag: undefined };
    }
  }

  /** Conditionally PUTs a record. "conflict": someone else's write came first; "unknown": a 5xx. */
  async write(
    key: string,
    record: StoredRecord,
    condition: WriteCondition,
    signal: AbortSignal,
  ): Promise<Written | "conflict" | "unknown"> {
    return this.writeRaw(key, encodeRecord(record), condition, signal);
  }

  /** Conditionally PUTs a string body (lease records, the marker, probes). */
  async writeRaw(
    key: string,
    body: string,
    condition: WriteCondition,
    signal: AbortSignal,
  ): Promise<Written | "conflict" | "unknown"> {
    const input: PutObjectCommandInput = {
      Bucket: this.config.bucket,
      Key: key,
      Body: body,
      ContentType: "application/json",
      ...("ifNoneMatch" in condition
        ? { IfNoneMatch: "*" }
        : { IfMatch: this.#ifMatch(condition.ifMatch) }),
      ...(this.config.sse ? { ServerSideEncryption: this.config.sse } : {}),
      ...(this.config.kmsKeyId ? { SSEKMSKeyId: this.config.kmsKeyId } : {}),
    };
    try {
      const out = await this.client.send(new PutObjectCommand(input), { abortSignal: signal });
      return { etag: out.ETag ?? "", serverNowMs: serverDate(out) };
    } catch (e) {
      const outcome = this.#outcome(e, true);
      return outcome === "missing" ? "conflict" : outcome; // AWS: If-Match on a deleted key is 404
    }
  }

  /** Lists one page of keys under `keyPrefix`. */
  async list(
    keyPrefix: string,
    token: string | undefined,
    signal: AbortSignal,
  ): Promise<{ keys: string[]; next: string | undefined }> {
    try {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.config.bucket,
          Prefix: keyPrefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
        { abortSignal: signal },
      );
      const keys = (out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
      return { keys, next: out.IsTruncated ? out.NextContinuationToken : undefined };
    } catch (e) {
      this.#outcome(e, false);
      return { keys: [], next: undefined };
    }
  }

  /** Deletes an object unconditionally: only ever used on leasehold's own probe objects. */
  async delete(key: string, signal: AbortSignal): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: key }), {
        abortSignal: signal,
      });
    } catch (e) {
      this.#outcome(e, false);
    }
  }

  #ifMatch(etag: string): string {
    const bare = etag.replace(/^"(.*)"$/, "$1");
    return this.quoteIfMatch ? `"${bare}"` : bare;
  }

  /**
   * Classifies an SDK error, throwing failures. A read only expects "missing"; a write expects
   * "missing", "conflict" or "unknown".
   */
  #outcome(e: unknown, write: boolean): "missing" | "conflict" | "unknown" {
    if (e instanceof LeaseholdError) throw e;
    const ctx: ErrorContext = {
      backend: this.config.backend,
      bucket: this.config.bucket,
      timeoutMs: this.config.timeoutMs,
      write,
    };
    const outcome = classifyS3Error(e, ctx);
    if (outcome instanceof Error) throw outcome;
    if (!write && outcome !== "missing") {
      throw new BackendUnavailableError(
        `s3 backend "${this.config.backend}" (bucket ${this.config.bucket}): unexpected ${outcome} answer to a read`,
        { cause: e },
      );
    }
    return outcome;
  }
}

/** The server's clock from a response's Date header (added by createClient's middleware). */
function serverDate(from: unknown): number {
  const ms = Date.parse((from as { $serverDate?: string }).$serverDate ?? "");
  return Number.isNaN(ms) ? Number.NaN : ms;
}
