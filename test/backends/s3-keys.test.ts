import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  listKeyPrefix,
  META_FOLDER,
  resourceKey,
  resourceOfKey,
} from "../../src/backends/s3/keys.js";
import {
  decodeRecord,
  encodeRecord,
  liveLease,
  SKEW_MARGIN_MS,
  type StoredRecord,
} from "../../src/backends/s3/record.js";
import { markerKey } from "../../src/backends/s3/verify.js";

const name = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 120 })
  .filter((s) => !s.includes("\0") && Buffer.byteLength(s) <= 512);

describe("s3 object keys", () => {
  it("round-trips every resource name and stays within S3's 1024-byte key limit", () => {
    fc.assert(
      fc.property(name, (n) => {
        const key = resourceKey("leasehold/", n);
        expect(resourceOfKey("leasehold/", key)).toBe(n);
        expect(Buffer.byteLength(key)).toBeLessThanOrEqual(1024);
      }),
    );
    expect(resourceKey("", "x".repeat(512)).length).toBe(683);
  });

  it("gives distinct names distinct keys, including names that look alike", () => {
    const alike = ["a/b", "a%2Fb", "../a", "./a", "a", "A", "a ", "ä", "a\u0308"];
    expect(new Set(alike.map((n) => resourceKey("p/", n))).size).toBe(alike.length);
    fc.assert(
      fc.property(
        name,
        name,
        (x, y) => fc.pre(x !== y) && resourceKey("p/", x) !== resourceKey("p/", y),
      ),
    );
  });

  it("lists by a key prefix shared by every name with the given name prefix", () => {
    fc.assert(
      fc.property(name, name, (p, rest) => {
        expect(resourceKey("pre/", p + rest).startsWith(listKeyPrefix("pre/", p))).toBe(true);
      }),
    );
  });

  it("never mistakes the marker, probes or foreign keys for resources", () => {
    expect(resourceOfKey("leasehold/", markerKey("leasehold/"))).toBeUndefined();
    expect(resourceOfKey("leasehold/", `leasehold/${META_FOLDER}probe-abc`)).toBeUndefined();
    expect(resourceOfKey("leasehold/", "leasehold/not base64!")).toBeUndefined();
    expect(resourceOfKey("leasehold/", "other/YQ")).toBeUndefined();
    // "YR" decodes to the same byte as "YQ" but is not its canonical encoding.
    expect(resourceOfKey("leasehold/", "leasehold/YR")).toBeUndefined();
  });
});

describe("s3 lease records", () => {
  const record: StoredRecord = {
    v: 1,
    resource: "r",
    state: "held",
    id: "id1",
    principal: "p",
    ttlMs: 10_000,
    fence: 3,
    writeId: "w",
  };

  it("round-trips and refuses bodies that are not lease records", () => {
    expect(decodeRecord(encodeRecord(record))).toEqual(record);
    for (const bad of [
      "",
      "{}",
      "null",
      "[1]",
      '{"v":2}',
      JSON.stringify({ ...record, fence: "3" }),
      JSON.stringify({ ...record, state: "gone" }),
    ]) {
      expect(decodeRecord(bad)).toBeUndefined();
    }
  });

  it("judges expiry as Last-Modified + ttl + margin on the server's clock only", () => {
    const lm = Date.parse("2026-01-01T00:00:00Z");
    const at = (serverNowMs: number) =>
      liveLease("r", { record, etag: '"e"', lastModifiedMs: lm, serverNowMs });
    expect(at(lm + 10_000 + SKEW_MARGIN_MS - 1000)?.remainingMs).toBe(1000);
    expect(at(lm + 10_000 + SKEW_MARGIN_MS)).toBeUndefined();
    expect(
      liveLease("r", {
        record: { ...record, state: "released" },
        etag: '"e"',
        lastModifiedMs: lm,
        serverNowMs: lm,
      }),
    ).toBeUndefined();
    expect(at(lm)?.createdAt.getTime()).toBe(lm);
  });
});
