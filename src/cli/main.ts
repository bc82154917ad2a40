import { readFileSync } from "node:fs";
import yargs, { type Argv } from "yargs";
import { UsageError } from "../lease/errors.js";
import { restoreInMessage, restoreWords, standInForWordsAfterDashes } from "./after-dashes.js";
import { registerCommands } from "./commands.js";
import type { GlobalArgs } from "./context.js";
import { commandName, execute, RUN_FAILED_BEFORE_CHILD, type Runner } from "./execute.js";
import { ExitCode } from "./exit-codes.js";
import { Output, type Streams } from "./output.js";
import { explainParseFailure } from "./parse-failures.js";
import { normalizeWaitFlag } from "./wait-option.js";

/**
 * Runs one CLI invocation through yargs (help, completion, every flag) and returns its exit
 * status. Parse errors become exit 2 here; command errors in execute(). No process.exit.
 */
export async function main(argv: string[], io: Streams = defaultStreams()): Promise<number> {
  let runner: Runner | undefined;
  let global: GlobalArgs = {};
  const parser = buildParser(argv, (r, g) => {
    runner = r;
    global = g;
  });
  try {
    await parser.parseAsync();
  } catch (e) {
    new Output(io).error(e, false);
    // `run` reserves 2 for its child; its own failures before starting one are 125 (DESIGN.md).
    return commandName(argv) === "run" ? RUN_FAILED_BEFORE_CHILD : ExitCode.usage;
  }
  if (!runner) return ExitCode.ok; // --help, --version or completion printed their output.
  return execute(runner, global, io, argv);
}

function buildParser(argv: string[], select: (r: Runner, g: GlobalArgs) => void): Argv {
  const stoodIn = standInForWordsAfterDashes(argv);
  const parser = yargs(normalizeWaitFlag(stoodIn.argv))
    .scriptName("leasehold")
    .usage("$0 <command> [options]\n\nTime-limited, exclusive leases on named resources.")
    .parserConfiguration({
      "parse-numbers": false,
      "parse-positional-numbers": false,
      "duplicate-arguments-array": false,
      "populate--": true,
    })
    .option("config", {
      alias: "c",
      type: "string",
      describe:
        "config file (default: $LEASEHOLD_CONFIG, ./.leasehold.ini, $XDG_CONFIG_HOME/leasehold/config.ini, ~/.leasehold.ini)",
    })
    .option("backend", {
      type: "string",
      describe: "backend name to use for every resource, overriding the config",
    })
    .option("quiet", {
      alias: "q",
      type: "boolean",
      describe: "no informational messages on stderr (errors still shown)",
    })
    .version(readVersion())
    .help()
    .alias("h", "help")
    .completion(
      "completion",
      "print a bash/zsh completion script: leasehold completion >> ~/.bashrc",
    )
    .demandCommand(1, "name a command")
    .recommendCommands()
    .strict()
    .exitProcess(false)
    .wrap(Math.min(100, process.stdout.columns || 100))
    .epilog(
      "Exit status: 0 done/yes, 1 no (held, not held), 2 usage/config error, 3 backend error, 70 internal error.",
    )
    .middleware((args) => restoreWords(args, stoodIn.words))
    .fail((msg, err) => {
      if (err) throw err;
      const said = restoreInMessage(msg ?? "invalid arguments", stoodIn.words);
      const { message, hint } = explainParseFailure(said, argv);
      throw new UsageError(message, { hint });
    });
  registerCommands(parser, select);
  return parser;
}

function readVersion(): string {
  // dist/cli/main.js and dist/bundle/chunks/*.js sit at different depths below the package root.
  for (const rel of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "leasehold" && pkg.version) return pkg.version;
    } catch {
      // Try the next location.
    }
  }
  return "unknown";
}

function defaultStreams(): Streams {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
