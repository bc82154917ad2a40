import { USAGE } from "./commands.js";
import { commandName } from "./execute.js";

/** What to tell a person whose command line yargs could not parse. */
export interface Explained {
  readonly message: string;
  readonly hint: string;
}

/**
 * Rewords yargs' parse failures to say what to type instead: a command's usage when arguments
 * are missing or extra, "unknown command" for a first word that is not one. The hint points at
 * the command's own --help when there is a command.
 */
export function explainParseFailure(message: string, argv: readonly string[]): Explained {
  const word = commandName(argv);
  const known = word !== undefined && (word in USAGE || word === "completion");
  if (word === undefined || !known) {
    const unknown = word === undefined ? undefined : `unknown command "${word}"`;
    const suggestion = /^Did you mean (\S+)\?$/.exec(message)?.[1];
    return {
      message:
        unknown && suggestion
          ? `${unknown}; did you mean ${suggestion}?`
          : unknown && /^Unknown arguments?:/.test(message)
            ? unknown
            : message,
      hint: "see leasehold --help for the commands",
    };
  }
  const usage = word in USAGE ? `leasehold ${shown(USAGE[word as keyof typeof USAGE])}` : "";
  const hint = `see leasehold ${word} --help`;
  if (/^Not enough non-option arguments/.test(message) && usage) {
    return { message: `missing arguments; usage: ${usage}`, hint };
  }
  if (/^Unknown arguments?:/.test(message) && usage) {
    return { message: `${message}; usage: ${usage}`, hint };
  }
  return { message, hint };
}

/** A yargs declaration as typed: `run`'s command follows `--`. */
function shown(usage: string): string {
  return usage.replace(" [command..]", " -- <command> [args..]");
}
