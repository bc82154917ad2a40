import { randomBytes } from "node:crypto";
import { BackendUnavailableError } from "../../lease/errors.js";
import type { DoctorCheck } from "../types.js";
import { META_FOLDER } from "./keys.js";
import type { ObjectStore, Written } from "./store.js";

/** What the marker object records once a bucket+prefix has passed the probe. */
interface MarkerBody {
  readonly leasehold: "conditional writes verified";
  readonly quoteIfMatch: boolean;
}

/** The marker's key: its presence means "this bucket+prefix honours conditional writes". */
export function markerKey(prefix: string): string {
  return `${prefix}${META_FOLDER}conditional-writes`;
}

/**
 * Makes sure the server honours conditional writes before leasehold writes anything: a server
 * that ignores If-None-Match/If-Match would let two clients both "win" with no error at all.
 * Reads the marker (one GET); when absent, runs the probe and writes the marker so other
 * clients need only the GET. Also learns which If-Match form the server accepts.
 * @throws BackendUnavailableError when the server ignores a condition, or cannot be reached.
 */
export async function ensureConditionalWrites(
  store: ObjectStore,
  prefix: string,
  signal: AbortSignal,
): Promise<void> {
  const marker = await store.readRaw(markerKey(prefix), signal);
  const known = marker.text === undefined ? undefined : parseMarker(marker.text);
  if (known) {
    store.quoteIfMatch = known.quoteIfMatch;
    return;
  }
  await probeConditionalWrites(store, prefix, signal);
  const body: MarkerBody = {
    leasehold: "conditional writes verified",
    quoteIfMatch: store.quoteIfMatch,
  };
  // A concurrent prober may have written it first; either copy says the same.
  await store.writeRaw(markerKey(prefix), JSON.stringify(body), { ifNoneMatch: true }, signal);
}

/**
 * Probes on a throw-away object: If-Match on the missing object must be refused, a second
 * create-only PUT must be refused, a PUT with a wrong ETag must be refused, and a PUT with the
 * right ETag must succeed (unquoted, as Ceph RGW needs,
 * or quoted). Sets `store.quoteIfMatch`; returns a line for `doctor`.
 */
export async function probeConditionalWrites(
  store: ObjectStore,
  prefix: string,
  signal: AbortSignal,
): Promise<string> {
  const key = `${prefix}${META_FOLDER}probe-${randomBytes(9).toString("base64url")}`;
  const refuse = (what: string) =>
    new BackendUnavailableError(
      `s3 backend "${store.config.backend}" (bucket ${store.config.bucket}): the server ${what}, so leases would not exclude each other`,
      {
        hint: "use a server that honours conditional PutObject (AWS S3, MinIO, Cloudflare R2, Ceph RGW ≥ 16); run leasehold doctor",
      },
    );
  const wrong = '"00000000000000000000000000000000"';
  try {
    // Some MinIO releases created a missing object on If-Match (minio/minio#21526).
    if ((await store.writeRaw(key, "probe 0", { ifMatch: wrong }, signal)) !== "conflict")
      throw refuse("creates a missing object on If-Match");
    const first = await store.writeRaw(key, "probe 1", { ifNoneMatch: true }, signal);
    if (typeof first !== "object")
      throw refuse(`answered a create-only PUT of a new object with ${first}`);
    if ((await store.writeRaw(key, "probe 2", { ifNoneMatch: true }, signal)) !== "conflict")
      throw refuse("ignores If-None-Match: *");
    if ((await store.writeRaw(key, "probe 3", { ifMatch: wrong }, signal)) !== "conflict")
      throw refuse("ignores If-Match");
    const form = await matchingForm(store, key, first, signal);
    if (form === undefined)
      throw refuse("refuses If-Match with the object's own ETag, quoted or not");
    return `If-None-Match and If-Match are honoured (ETag sent ${form})`;
  } finally {
    await store.delete(key, signal).catch(() => undefined);
  }
}

async function matchingForm(
  store: ObjectStore,
  key: string,
  current: Written,
  signal: AbortSignal,
) {
  for (const quoted of [false, true]) {
    store.quoteIfMatch = quoted;
    if (
      typeof (await store.writeRaw(key, "probe 4", { ifMatch: current.etag }, signal)) === "object"
    ) {
      return quoted ? "quoted" : "unquoted";
    }
  }
  return undefined;
}

function parseMarker(text: string): MarkerBody | undefined {
  try {
    const m = JSON.parse(text) as Partial<MarkerBody>;
    return m.leasehold === "conditional writes verified" && typeof m.quoteIfMatch === "boolean"
      ? (m as MarkerBody)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `leasehold doctor` for S3: reachability, a fresh conditional-write probe, the server clock. */
export async function doctorChecks(
  store: ObjectStore,
  prefix: string,
  signal: AbortSignal,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const { bucket, backend } = store.config;
  try {
    await store.list(prefix, undefined, signal);
    checks.push({
      name: "bucket",
      ok: true,
      detail: `bucket ${bucket} reachable, prefix ${JSON.stringify(prefix)}`,
    });
  } catch (e) {
    const err = e as BackendUnavailableError;
    return [
      {
        name: "bucket",
        ok: false,
        detail: err.message,
        fix: err.hint ?? `check [backend.${backend}]`,
      },
    ];
  }
  try {
    // A key no resource can have (see keys.ts): a 404 whose Date header is the server's clock.
    const { serverNowMs } = await store.read(`${prefix}${META_FOLDER}clock`, signal);
    const aheadS = ((serverNowMs - Date.now()) / 1000).toFixed(1);
    checks.push({
      name: "server clock",
      ok: true,
      detail: `server clock is ${aheadS} s ahead of this machine's (leasehold judges expiry by the server's alone)`,
    });
  } catch {
    // Informational only; the checks around it report reachability.
  }
  try {
    const detail = await probeConditionalWrites(store, prefix, signal);
    checks.push({ name: "conditional writes", ok: true, detail });
  } catch (e) {
    const err = e as BackendUnavailableError;
    checks.push({
      name: "conditional writes",
      ok: false,
      detail: err.message,
      fix: err.hint ?? "use a server with conditional writes",
    });
  }
  return checks;
}
