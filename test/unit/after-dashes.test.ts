import { describe, expect, it } from "vitest";
import {
  restoreInMessage,
  restoreWords,
  standInForWordsAfterDashes,
} from "../../src/cli/after-dashes.js";

describe("words after -- reach yargs as plain words and come back unchanged", () => {
  it("stands in for every word after -- and restores them in arguments and messages", () => {
    const { argv, words } = standInForWordsAfterDashes(["acquire", "--json", "--", "-r", "--x"]);
    expect(words).toEqual(["-r", "--x"]);
    expect(argv.slice(0, 2)).toEqual(["acquire", "--json"]);
    expect(argv.slice(2).every((w) => !w.startsWith("-"))).toBe(true);
    const args: Record<string, unknown> = { resource: argv[2], _: ["acquire", argv[3]] };
    restoreWords(args, words);
    expect(args).toEqual({ resource: "-r", _: ["acquire", "--x"] });
    expect(restoreInMessage(`Unknown argument: ${argv[3]}`, words)).toBe("Unknown argument: --x");
  });

  it("leaves run's -- (the command to run) and lines without a command alone", () => {
    for (const line of [
      ["run", "db", "--", "sh", "-c", "true"],
      ["--", "acquire", "db"],
      ["is-held", "db", "id"],
    ]) {
      expect(standInForWordsAfterDashes(line)).toEqual({ argv: line, words: [] });
    }
  });
});
