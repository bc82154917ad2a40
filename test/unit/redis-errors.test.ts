import { describe, expect, it } from "vitest";
import { translateRedisError } from "../../src/backends/redis/errors.js";
import { BackendUnavailableError } from "../../src/lease/errors.js";

const ctx = { name: "redis", target: "127.0.0.1:6379", timeoutMs: 5000 };

// The ready check is off (an INFO round trip per call), so a server still loading its data
// answers our first command with LOADING: that must read as "try again", not as a bug.
describe("translateRedisError", () => {
  it("reports a server still loading its dataset as unavailable, with when to retry", () => {
    const e = translateRedisError(ctx, new Error("LOADING Redis is loading the dataset in memory"));
    expect(e).toBeInstanceOf(BackendUnavailableError);
    expect(e.message).toBe(
      `redis backend "redis" (127.0.0.1:6379): Redis is still loading its dataset`,
    );
    expect(e.hint).toMatch(/try again/);
  });

  it("tells a wrong password apart from a loading server", () => {
    const e = translateRedisError(ctx, new Error("WRONGPASS invalid username-password pair"));
    expect(e.message).toMatch(/authentication failed/);
    expect(e.message).not.toMatch(/loading/);
  });
});
