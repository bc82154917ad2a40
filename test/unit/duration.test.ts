import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/config/duration.js";
import { InvalidDurationError } from "../../src/lease/errors.js";

describe("parseDuration", () => {
  it.each([
    ["90", 90_000],
    ["90s", 90_000],
    ["500ms", 500],
    ["30 minutes", 1_800_000],
    ["1 day", 86_400_000],
    ["2 days", 172_800_000],
    ["1h30m", 5_400_000],
    ["1 hour 30 minutes", 5_400_000],
    ["1h, 30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["PT1H", 3_600_000],
    ["PT1H30M", 5_400_000],
    ["pt90s", 90_000],
    ["P1D", 86_400_000],
    ["P1DT2H", 93_600_000],
    ["1w", 604_800_000],
    [" 5 MIN ", 300_000],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    "0",
    "0s",
    "PT0S",
    "-5",
    "-5m",
    "abc",
    "",
    "P",
    "PT",
    "1x",
    "10s5",
    "5 parsecs",
    "1e3",
    "11 years",
    "3650 days 1 day",
  ])("refuses %j and lists the accepted forms", (text) => {
    expect(() => parseDuration(text, "ttl")).toThrow(InvalidDurationError);
    try {
      parseDuration(text, "ttl");
    } catch (e) {
      expect((e as Error).message).toContain("ttl");
    }
  });

  it("gives a hint with the accepted forms for garbage", () => {
    try {
      parseDuration("soon");
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidDurationError).hint).toMatch(/30 minutes.*1h30m.*PT1H30M/);
    }
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [45_000, "45s"],
    [65_000, "1m5s"],
    [18 * 60_000, "18m"],
    [2 * 3_600_000, "2h"],
    [2 * 3_600_000 + 5 * 60_000, "2h5m"],
    [3 * 86_400_000 + 4 * 3_600_000, "3d4h"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
