import { formatDuration } from "../config/duration.js";
import { LeaseholdError } from "../lease/errors.js";
import type { Lease } from "../lease/lease.js";

/** Where a command writes: results on stdout, everything else on stderr. */
export interface Streams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

const STYLES = {
  bold: "\x1b[1m",
  red: "\x1b[31m",
  yellow: "\x1b[33m",
  green: "\x1b[32m",
  dim: "\x1b[2m",
} as const;

/**
 * Formats for humans on a terminal and for programs in a pipe. A failed command writes nothing
 * to stdout; `quiet` silences the informational stderr lines but never errors.
 */
export class Output {
  constructor(
    private readonly io: Streams,
    private readonly quiet = false,
  ) {}

  /** True when stderr is a terminal (live status lines, human times). */
  get humanStderr(): boolean {
    return Boolean(this.io.stderr.isTTY);
  }

  /** Wraps text in an ANSI style for a terminal stream, unless NO_COLOR is set (no-color.org). */
  paint(stream: "stdout" | "stderr", style: keyof typeof STYLES, text: string): string {
    const tty = stream === "stdout" ? this.humanStdout : this.humanStderr;
    if (!tty || this.io.env.NO_COLOR !== undefined || this.io.env.TERM === "dumb") return text;
    return `${STYLES[style]}${text}\x1b[0m`;
  }

  /** True when stdout is a terminal. */
  get humanStdout(): boolean {
    return Boolean(this.io.stdout.isTTY);
  }

  /** A result line on stdout. */
  result(line: string): void {
    this.io.stdout.write(`${line}\n`);
  }

  /** A JSON value on stdout. */
  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, this.humanStdout ? 2 : undefined)}\n`);
  }

  /** An informational line on stderr, only for people at a terminal and not with --quiet. */
  info(line: string): void {
    if (!this.quiet && this.humanStderr) this.io.stderr.write(`${line}\n`);
  }

  /** Replaces the live status line on a terminal (no newline); `undefined` erases it. */
  status(line: string | undefined): void {
    if (this.quiet || !this.humanStderr) return;
    this.io.stderr.write(line === undefined ? "\r\x1b[2K" : `\r\x1b[2K${line}`);
  }

  /** A diagnostic that scripts need too (why a command said no); not silenced by --quiet. */
  notice(line: string): void {
    this.io.stderr.write(`${this.paint("stderr", "yellow", "leasehold:")} ${line}\n`);
  }

  /** The next step after a notice, on its own line. */
  hint(line: string): void {
    this.io.stderr.write(`hint: ${line}\n`);
  }

  /** An error: one line, then its hint; the stack only with LEASEHOLD_DEBUG=1. */
  error(err: unknown, internal: boolean): void {
    const e = err as Error;
    if (internal) {
      this.io.stderr.write(`leasehold: internal error: ${e?.message ?? String(err)}\n`);
      this.io.stderr.write(
        "hint: this is a bug; re-run with LEASEHOLD_DEBUG=1 and report the output\n",
      );
    } else {
      this.io.stderr.write(`${this.paint("stderr", "red", "leasehold:")} ${e.message}\n`);
      const hint = err instanceof LeaseholdError ? err.hint : undefined;
      if (hint) this.io.stderr.write(`hint: ${hint}\n`);
    }
    if (this.io.env.LEASEHOLD_DEBUG === "1" && e?.stack) this.io.stderr.write(`${debugChain(e)}\n`);
  }
}

function debugChain(e: Error): string {
  const parts = [e.stack ?? String(e)];
  for (let c = e.cause as Error | undefined; c; c = c.cause as Error | undefined)
    parts.push(`caused by: ${c.stack ?? String(c)}`);
  return parts.join("\n");
}

/** `2026-11-29T12:03:10Z`: ISO-8601 to the second, for pipes and messages. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** One human line about a lease: who, why, since when, and how long it has left. */
export function describeLease(lease: Lease): string {
  const reason = lease.reason ? ` (${JSON.stringify(lease.reason)})` : "";
  const age = formatDuration(
    lease.expiresAt.getTime() - lease.createdAt.getTime() - lease.remainingMs,
  );
  return `${lease.resource} is held by ${lease.principal}${reason}, held for ${age}, expires in ${formatDuration(lease.remainingMs)} (${isoSeconds(lease.expiresAt)}, fence ${lease.fence})`;
}
