/**
 * Where a resource's lease lives in etcd. Each resource owns three keys, all attached to the
 * same etcd lease, so they are written, moved and deleted (or expired) together:
 *
 *     PREFIX + name + "\0d"   the lease record (JSON: id, principal, reason, created)
 *     PREFIX + name + "\0i"   the lease id alone, so a transaction can compare it by value
 *     PREFIX + name + "\0e"   the expiry stamp, rewritten by renew while the record stays put
 *
 * Names are stored as their raw UTF-8 bytes. Resource names never contain NUL, so the NUL
 * separator makes the mapping injective (`a/b`, `a%2Fb` and `../x` stay distinct keys) and a
 * name prefix is a key prefix, which `list` uses as one range.
 */
export class KeyLayout {
  readonly #prefix: Buffer;

  constructor(prefix: string) {
    this.#prefix = Buffer.from(prefix, "utf8");
  }

  /** The lease record key. */
  record(resource: string): Buffer {
    return this.#key(resource, "d");
  }

  /** The key holding only the lease id. */
  id(resource: string): Buffer {
    return this.#key(resource, "i");
  }

  /** The key holding the expiry stamp in epoch ms. */
  expiry(resource: string): Buffer {
    return this.#key(resource, "e");
  }

  /** The range covering exactly this resource's keys. */
  resourceRange(resource: string): { key: Buffer; range_end: Buffer } {
    const key = Buffer.concat([this.#prefix, Buffer.from(resource, "utf8"), Buffer.from([0])]);
    return {
      key,
      range_end: Buffer.concat([this.#prefix, Buffer.from(resource, "utf8"), Buffer.from([1])]),
    };
  }

  /** The range covering every resource whose name starts with `namePrefix`. */
  prefixRange(namePrefix: string): { key: Buffer; range_end: Buffer } {
    const key = Buffer.concat([this.#prefix, Buffer.from(namePrefix, "utf8")]);
    return { key, range_end: prefixEnd(key) };
  }

  /** Splits a key of ours into resource name and part (`d`, `i`, `e`); undefined for others. */
  parse(key: Buffer): { resource: string; part: string } | undefined {
    if (!key.subarray(0, this.#prefix.length).equals(this.#prefix)) return undefined;
    const rest = key.subarray(this.#prefix.length);
    const nul = rest.indexOf(0);
    if (nul <= 0 || nul !== rest.length - 2) return undefined;
    return {
      resource: rest.subarray(0, nul).toString("utf8"),
      part: String.fromCharCode(rest[nul + 1]!),
    };
  }

  #key(resource: string, part: string): Buffer {
    return Buffer.concat([
      this.#prefix,
      Buffer.from(resource, "utf8"),
      Buffer.from([0, part.charCodeAt(0)]),
    ]);
  }
}

/** The smallest key greater than every key starting with `prefix` (etcd's range_end rule). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff (or empty): "\0" means "to the end of the keyspace".
  return Buffer.from([0]);
}
