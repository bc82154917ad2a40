import { commandName } from "./execute.js";

// A command-line word can never contain NUL, so no real word is mistaken for a stand-in.
const STAND_IN = "\u0000leasehold-word-";
const STAND_INS = new RegExp(`${STAND_IN}(\\d+)`, "g");

/** A command line with the words after `--` replaced, and what they were. */
export interface StoodIn {
  readonly argv: string[];
  readonly words: readonly string[];
}

/**
 * yargs never fills a command's positionals from the words after `--`, so without this
 * `leasehold acquire -- -weird` could not name a resource that starts with "-". Those words go
 * to yargs as stand-ins it reads as plain words, and `restoreWords` puts them back once it has
 * parsed. `run` keeps `--` for itself: what follows it is the command to run.
 */
export function standInForWordsAfterDashes(argv: readonly string[]): StoodIn {
  const dashes = argv.indexOf("--");
  if (dashes < 0 || commandName(argv) === undefined || commandName(argv) === "run") {
    return { argv: [...argv], words: [] };
  }
  const words = argv.slice(dashes + 1);
  return {
    argv: [...argv.slice(0, dashes), ...words.map((_, i) => `${STAND_IN}${i}`)],
    words,
  };
}

/** The original word for a stand-in; anything else unchanged. */
export function restoreWord(value: string, words: readonly string[]): string {
  if (!value.startsWith(STAND_IN)) return value;
  return words[Number(value.slice(STAND_IN.length))] ?? value;
}

/** Puts the original words back into parsed arguments (and into messages that quote them). */
export function restoreWords(args: Record<string, unknown>, words: readonly string[]): void {
  if (words.length === 0) return;
  for (const [key, value] of Object.entries(args)) {
    if (typeof value === "string") args[key] = restoreWord(value, words);
    else if (Array.isArray(value))
      args[key] = value.map((v) => (typeof v === "string" ? restoreWord(v, words) : v));
  }
}

/** A yargs message with any stand-ins it quotes replaced by the words they stand for. */
export function restoreInMessage(message: string, words: readonly string[]): string {
  if (words.length === 0) return message;
  return message.replace(STAND_INS, (s, i: string) => words[Number(i)] ?? s);
}
