import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyLayout, prefixEnd } from "../../src/backends/etcd/keys.js";

const names = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 40 })
  .filter((s) => !s.includes("\0"));

describe("etcd key layout", () => {
  const keys = new KeyLayout("/leasehold/");

  it("maps distinct resource names to distinct keys and back", () => {
    fc.assert(
      fc.property(names, names, (a, b) => {
        expect(keys.parse(keys.record(a))).toEqual({ resource: a, part: "d" });
        if (a !== b) expect(keys.record(a).equals(keys.record(b))).toBe(false);
      }),
    );
  });

  it("keeps a resource's keys inside its own range and a prefix's range", () => {
    fc.assert(
      fc.property(names, names, (p, rest) => {
        const name = p + rest;
        const own = keys.resourceRange(name);
        const pre = keys.prefixRange(p);
        for (const k of [keys.record(name), keys.id(name), keys.expiry(name)]) {
          expect(Buffer.compare(k, own.key) >= 0 && Buffer.compare(k, own.range_end) < 0).toBe(
            true,
          );
          expect(Buffer.compare(k, pre.key) >= 0 && Buffer.compare(k, pre.range_end) < 0).toBe(
            true,
          );
        }
      }),
    );
  });

  it("does not put a longer name inside a shorter name's own range", () => {
    const own = keys.resourceRange("a");
    expect(Buffer.compare(keys.record("ab"), own.range_end) >= 0).toBe(true);
    expect(Buffer.compare(keys.record("a/b"), own.range_end) >= 0).toBe(true);
  });

  it("computes etcd's prefix range end", () => {
    expect(prefixEnd(Buffer.from("ab"))).toEqual(Buffer.from("ac"));
    expect(prefixEnd(Buffer.from([0x61, 0xff]))).toEqual(Buffer.from("b"));
    expect(prefixEnd(Buffer.from([0xff, 0xff]))).toEqual(Buffer.from([0]));
  });

  it("ignores keys that are not ours", () => {
    expect(keys.parse(Buffer.from("/other/x\0d"))).toBeUndefined();
    expect(keys.parse(Buffer.from("/leasehold/x"))).toBeUndefined();
  });
});
