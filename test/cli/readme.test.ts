import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const README = readFileSync(resolve(import.meta.dirname, "../../README.md"), "utf8");

/** Rows of the README's command table: `| \`acquire [--ttl T] ... RESOURCE\` | does |`. */
function readmeCommands(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const start = README.indexOf("| command | does |");
  const table = README.slice(start, README.indexOf("\n\n", start));
  for (const m of table.matchAll(/^\| `([a-z-]+)((?: [^`]*)?)` \|/gm)) {
    out.set(
      m[1]!,
      [...m[2]!.matchAll(/--[a-z-]+/g)].map((f) => f[0]),
    );
  }
  return out;
}

describe("the README's command reference matches --help", () => {
  it("lists exactly the commands --help lists", async () => {
    const help = (await runCli(["--help"])).stdout;
    const fromHelp = [...help.matchAll(/^ {2}leasehold ([a-z-]+)/gm)].map((m) => m[1]!).sort();
    expect(fromHelp.length).toBeGreaterThanOrEqual(10);
    expect([...readmeCommands().keys()].sort()).toEqual(fromHelp);
  });

  it("documents only flags each command's --help knows", async () => {
    for (const [command, flags] of readmeCommands()) {
      const help = (await runCli([command, "--help"])).stdout;
      for (const flag of flags) expect(help, `${command} ${flag}`).toContain(flag);
    }
  }, 60_000);
});
