/**
 * Object keys for resources. A resource name becomes `prefix` + base64url(UTF-8 bytes): distinct
 * names always give distinct keys, every key is printable and at most 683 characters after the
 * prefix (512 bytes of name), well within S3's 1024-byte key limit. The alphabet has neither `.`
 * nor `/`, so leasehold's own bookkeeping objects (under `prefix` + `.leasehold/`) never collide
 * with a resource.
 */

/** Folder, under the configured prefix, for objects that are not leases. */
export const META_FOLDER = ".leasehold/";

/** The object key holding `resource`'s lease record. */
export function resourceKey(prefix: string, resource: string): string {
  return prefix + Buffer.from(resource, "utf8").toString("base64url");
}

/**
 * The resource stored under `key`, or undefined for keys that are not lease records (the marker,
 * foreign objects): only a key whose suffix re-encodes to itself is ours.
 */
export function resourceOfKey(prefix: string, key: string): string | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const encoded = key.slice(prefix.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
  const bytes = Buffer.from(encoded, "base64url");
  const name = bytes.toString("utf8");
  if (
    bytes.toString("base64url") !== encoded ||
    !name.isWellFormed() ||
    Buffer.from(name, "utf8").compare(bytes) !== 0
  ) {
    return undefined;
  }
  return name;
}

/**
 * The longest key prefix shared by every resource starting with `namePrefix`. base64 encodes each
 * 3-byte group on its own, so the encoding of the first whole groups is a prefix of the encoding
 * of any longer name; the remaining 0–2 bytes are filtered after decoding.
 */
export function listKeyPrefix(prefix: string, namePrefix: string): string {
  const bytes = Buffer.from(namePrefix, "utf8");
  return prefix + bytes.subarray(0, bytes.length - (bytes.length % 3)).toString("base64url");
}
