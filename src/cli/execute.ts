import { type CommandContext, type GlobalArgs, makeContext } from "./context.js";
import { ExitCode, exitCodeFor } from "./exit-codes.js";
import type { Streams } from "./output.js";

/** A command body: its parsed flags and the context in, an exit status out. */
export type Runner = (ctx: CommandContext) => Promise<number>;

/**
 * Runs a parsed command: the one place errors become exit statuses and messages. Shared by the
 * yargs parser and the fast path, which must behave the same.
 */
export async function execute(
  runner: Runner,
  global: GlobalArgs,
  io: Streams,
  argv: readonly string[],
): Promise<number> {
  const abort = new AbortController();
  // The first Ctrl-C/SIGTERM ends waits cleanly (exit 130, no lease left behind). If the
  // command does not finish promptly, or the signal comes again, it gets its default effect.
  const onSignal = (signal: NodeJS.Signals) => {
    abort.abort();
    release();
    setTimeout(() => process.kill(process.pid, signal), 3000).unref();
  };
  const release = () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const ctx = makeContext(global, io, abort.signal, release);
  try {
    return await runner(ctx);
  } catch (e) {
    const code =
      commandName(argv) === "run" && exitCodeFor(e) === ExitCode.usage
        ? RUN_FAILED_BEFORE_CHILD
        : exitCodeFor(e);
    ctx.out.error(e, code === ExitCode.internal);
    return code;
  } finally {
    release();
    await ctx.close();
  }
}

/** `run` reserves 2 for its child, so its own usage errors are 125 (DESIGN.md). */
export const RUN_FAILED_BEFORE_CHILD = 125;
const GLOBAL_WITH_VALUE = new Set(["-c", "--config", "--backend"]);

/** The first word that is neither a flag nor a global flag's value. */
export function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return undefined;
    if (GLOBAL_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return undefined;
}
