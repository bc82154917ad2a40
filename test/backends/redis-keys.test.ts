import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeResource, KeySpace } from "../../src/backends/redis/keys.js";

const names = fc
  .string({ unit: "binary", minLength: 1, maxLength: 40 })
  .filter((s) => s.isWellFormed());

describe("redis key encoding", () => {
  it("is undone by decodeURIComponent, so distinct names never share a key", () => {
    fc.assert(fc.property(names, (name) => decodeURIComponent(encodeResource(name)) === name));
    expect(encodeResource("a/b")).not.toBe(encodeResource("a%2Fb"));
  });

  it("keeps prefixes: a name starts with p exactly when its encoding starts with p's", () => {
    fc.assert(
      fc.property(names, names, (a, b) => {
        const both = [a, a + b, b];
        for (const x of both)
          for (const y of both)
            expect(encodeResource(x).startsWith(encodeResource(y))).toBe(x.startsWith(y));
      }),
    );
  });

  it("never emits characters that would break the hash tag or the SCAN pattern", () => {
    fc.assert(
      fc.property(
        names,
        (name) => !/[{}*?[\]\\^\s%]/.test(encodeResource(name).replace(/%[0-9A-F]{2}/g, "")),
      ),
    );
  });

  it("puts the lease and fence of a resource under one hash tag, even with a brace in the prefix", () => {
    const tag = (key: string) => {
      const open = key.indexOf("{");
      const close = key.indexOf("}", open + 1);
      return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
    };
    for (const prefix of ["leasehold:", "a{b:", "x{y}:", ""]) {
      const k = new KeySpace(prefix).of("prod/db 1");
      expect(tag(k.lease)).toBe(tag(k.fence));
    }
    expect(new KeySpace("leasehold:").of("prod/db 1")).toEqual({
      lease: "leasehold:{prod/db%201}:lease",
      fence: "leasehold:{prod/db%201}:fence",
      channel: "leasehold:{prod/db%201}:changed",
    });
  });

  it("escapes glob characters of the configured prefix in the SCAN pattern", () => {
    expect(new KeySpace("l*[x]?:").leasePattern("a b")).toBe("l\\*\\[x\\]\\?:{a%20b*}:lease");
  });
});
