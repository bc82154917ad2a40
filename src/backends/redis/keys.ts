/**
 * Key layout. Every key of one resource is `<prefix>{<encoded name>}:<role>`: the braces are a
 * Redis Cluster hash tag, so the lease and its fence counter hash to one slot and one Lua script
 * may touch both. The tag comes straight after the prefix so that even a prefix containing `{`
 * yields the same tag for every role of a resource.
 */

/** Bytes kept as they are, so keys stay readable in `redis-cli`; none is special to SCAN MATCH. */
const SAFE = /^[A-Za-z0-9\-._~/:@+,=]$/;

/**
 * Encodes a resource name for use inside a hash tag: safe ASCII stays, every other UTF-8 byte
 * (including `%`, braces, glob characters, spaces) becomes `%XX`. Injective, because `%` itself is
 * always escaped, and prefix-preserving: `a` starts with `b` exactly when encode(a) starts with
 * encode(b), which is what lets `list(prefix)` become a SCAN pattern.
 * @example encodeResource("prod/db 1") // "prod/db%201"
 */
export function encodeResource(resource: string): string {
  let out = "";
  for (const ch of resource) {
    if (SAFE.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, "utf8"))
      out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Escapes the characters SCAN MATCH treats as a pattern, for the configured (literal) prefix. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\^]/g, (c) => `\\${c}`);
}

/** The keys and pub/sub channel of one resource. */
export interface ResourceKeys {
  /** Hash holding the live lease; expires with it (PEXPIREAT). */
  readonly lease: string;
  /** Counter INCRemented for every lease granted; never expires, so fences never repeat. */
  readonly fence: string;
  /** Channel the release, force-release and shortening renew scripts publish on. */
  readonly channel: string;
}

/** Builds key names under one configured prefix. */
export class KeySpace {
  constructor(readonly prefix: string) {}

  /** The keys of `resource`. */
  of(resource: string): ResourceKeys {
    const base = `${this.prefix}{${encodeResource(resource)}}`;
    return { lease: `${base}:lease`, fence: `${base}:fence`, channel: `${base}:changed` };
  }

  /** SCAN MATCH pattern for the lease keys of every resource starting with `resourcePrefix`. */
  leasePattern(resourcePrefix: string): string {
    // An encoded name never contains `}`, so `*` cannot run past the tag's closing brace.
    return `${escapeGlob(this.prefix)}{${encodeResource(resourcePrefix)}*}:lease`;
  }
}
