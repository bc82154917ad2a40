import { describe, expect, it } from "vitest";
import { parseFast } from "../../src/cli/fast-path.js";

describe("the fast path parses everyday command lines like yargs would", () => {
  it.each([
    [
      ["is-held", "db", "ID"],
      { command: "is-held", args: { resource: "db", leaseId: "ID" }, global: {} },
    ],
    [
      ["-c", "f.ini", "release", "db", "ID"],
      { command: "release", args: { resource: "db", leaseId: "ID" }, global: { config: "f.ini" } },
    ],
    [
      ["--config=f.ini", "--backend", "redis", "current", "--id-only", "db"],
      {
        command: "current",
        args: { resource: "db", idOnly: true },
        global: { config: "f.ini", backend: "redis" },
      },
    ],
    [
      ["acquire", "db", "--ttl", "5m", "--reason=a b", "--json", "-q"],
      {
        command: "acquire",
        args: { resource: "db", ttl: "5m", reason: "a b", json: true },
        global: { quiet: true },
      },
    ],
    [
      ["acquire", "--wait=", "db"],
      { command: "acquire", args: { resource: "db", wait: "" }, global: {} },
    ],
    [
      ["acquire", "--json", "--", "-db"],
      { command: "acquire", args: { resource: "-db", json: true }, global: {} },
    ],
    [
      ["is-held", "--", "-db", "--ID"],
      { command: "is-held", args: { resource: "-db", leaseId: "--ID" }, global: {} },
    ],
    [
      ["renew", "db", "ID", "--ttl=1h"],
      { command: "renew", args: { resource: "db", leaseId: "ID", ttl: "1h" }, global: {} },
    ],
  ])("%j", (argv, expected) => {
    expect(parseFast(argv)).toEqual(expected);
  });

  it.each([
    [["--help"]],
    [["acquire", "--help"]],
    [["--version"]],
    [["acquire"]],
    [["is-held", "db"]],
    [["is-held", "db", "ID", "extra"]],
    [["acquire", "db", "--bogus"]],
    [["acquire", "db", "--ttl"]],
    [["acquire", "db", "--ttl", "1m", "--ttl", "2m"]],
    [["acquire", "db", "--json=false"]],
    [["acquire", "-x", "db"]],
    [["run", "db", "--", "true"]],
    [["--", "acquire", "db"]],
    [["acquire", "--", "db", "--json"]],
    [["list"]],
    [["-c", "a", "-c", "b", "is-held", "r", "i"]],
    [[]],
  ])("leaves %j to yargs", (argv) => {
    expect(parseFast(argv)).toBeUndefined();
  });
});
