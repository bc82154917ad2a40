import { Leasehold } from "../lease/client.js";
import { Output, type Streams } from "./output.js";

/** Global flags every command accepts. */
export interface GlobalArgs {
  readonly config?: string | undefined;
  readonly backend?: string | undefined;
  readonly quiet?: boolean | undefined;
}

/** What a command function receives besides its own flags. */
export interface CommandContext {
  readonly out: Output;
  readonly io: Streams;
  /** Aborted on SIGINT/SIGTERM, so waits end cleanly. */
  readonly signal: AbortSignal;
  /** Opens the configured Leasehold once; main closes it after the command. */
  open(): Promise<Leasehold>;
  /** Takes over SIGINT/SIGTERM handling from main (run forwards them to its child instead). */
  claimSignals(): void;
}

/** Builds the per-invocation context; `close` releases connections the command opened. */
export function makeContext(
  global: GlobalArgs,
  io: Streams,
  signal: AbortSignal,
  claimSignals: () => void,
): CommandContext & { close(): Promise<void> } {
  let opened: Promise<Leasehold> | undefined;
  return {
    out: new Output(io, global.quiet === true),
    io,
    signal,
    claimSignals,
    open() {
      opened ??= Leasehold.open({ config: global.config, backend: global.backend, env: io.env });
      return opened;
    },
    async close() {
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
}
