import { describe, expect, it } from "vitest";
import { InvalidResourceError } from "../../src/lease/errors.js";
import {
  isHeld,
  leaseToJson,
  makeLease,
  newLeaseId,
  sameLeaseId,
  validateLabel,
  validateResource,
} from "../../src/lease/lease.js";

describe("validateResource", () => {
  it.each(["a", "a/b", "../x", "日本", "x".repeat(512), "é".repeat(256), "a b\tc"])(
    "accepts %j",
    (name) => {
      expect(() => validateResource(name)).not.toThrow();
    },
  );
  it.each([
    ["", /empty/],
    ["a\0b", /NUL/],
    ["x".repeat(513), /513 bytes/],
    ["é".repeat(257), /514 bytes/],
    ["\ud800", /UTF-8/],
  ])("refuses %j", (name, why) => {
    expect(() => validateResource(name)).toThrow(InvalidResourceError);
    expect(() => validateResource(name)).toThrow(why);
  });
});

describe("newLeaseId", () => {
  it(
    "is URL-safe, 144 bits, never starts with " -
      " (a flag on a command line), and never repeats in 10,000 draws",
    () => {
      const ids = new Set(Array.from({ length: 10_000 }, newLeaseId));
      expect(ids.size).toBe(10_000);
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{23}$/);
    },
  );
});

describe("makeLease", () => {
  const fields = {
    resource: "r",
    id: "i",
    principal: "p",
    createdAt: new Date(1_000_000),
    expiresAt: new Date(1_060_000),
    fence: 3,
  };
  it("computes time left from the backend's clock, not this machine's", () => {
    expect(makeLease(fields, 1_010_000).remainingMs).toBe(50_000);
    expect(makeLease(fields, 2_000_000).remainingMs).toBe(0);
  });
  it("drops an empty reason and prints null for it in JSON", () => {
    const lease = makeLease({ ...fields, reason: null }, 1_000_000);
    expect("reason" in lease).toBe(false);
    expect(leaseToJson(lease)).toEqual({
      resource: "r",
      id: "i",
      principal: "p",
      reason: null,
      createdAt: "1970-01-01T00:16:40.000Z",
      expiresAt: "1970-01-01T00:17:40.000Z",
      fence: 3,
    });
    expect(isHeld(lease)).toBe(false);
    expect(isHeld({ status: "held", holder: lease })).toBe(true);
  });
});

describe("validateLabel", () => {
  it.each(["a\tb", "a\nb", "x\u001b[31m", "nul\0", "\ud800", "é".repeat(513)])(
    "refuses a reason %j",
    (value) => {
      expect(() => validateLabel("reason", value, 1024)).toThrow(/reason/);
    },
  );
  it("accepts plain text with spaces and unicode", () => {
    expect(() => validateLabel("principal", "Zoë Ops@bastion-1", 256)).not.toThrow();
  });
});

describe("sameLeaseId", () => {
  it("is true only for the same id", () => {
    expect(sameLeaseId("abc", "abc")).toBe(true);
    expect(sameLeaseId("abc", "abd")).toBe(false);
    expect(sameLeaseId("abc", "abcd")).toBe(false);
    expect(sameLeaseId(undefined, "abc")).toBe(false);
    expect(sameLeaseId(null, "")).toBe(false);
  });
});
