import { describe, expect, it } from "vitest";
import { normalizeWaitFlag, waitOption } from "../../src/cli/wait-option.js";

describe("--wait", () => {
  it.each([
    [
      ["acquire", "--wait", "db"],
      ["acquire", "--wait=", "db"],
    ],
    [
      ["acquire", "db", "--wait"],
      ["acquire", "db", "--wait="],
    ],
    [
      ["acquire", "--wait", "5m", "db"],
      ["acquire", "--wait", "5m", "db"],
    ],
    [
      ["acquire", "--wait", "--ttl", "1h", "db"],
      ["acquire", "--wait=", "--ttl", "1h", "db"],
    ],
    [
      ["run", "db", "--", "cmd", "--wait", "x"],
      ["run", "db", "--", "cmd", "--wait", "x"],
    ],
  ])("reads %j as %j", (argv, expected) => {
    expect(normalizeWaitFlag(argv)).toEqual(expected);
  });
  it("means no limit without a value and a duration with one", () => {
    expect(waitOption("")).toBe(true);
    expect(waitOption("2m")).toBe(120_000);
    expect(waitOption(undefined)).toBeUndefined();
    expect(() => waitOption("soon")).toThrow(/--wait/);
  });
});
