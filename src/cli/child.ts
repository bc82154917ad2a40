import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";

/** How a child ended: its exit code, or the signal that killed it. */
export interface ChildEnd {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Why a child could not start, with the exit status a shell would give (126/127). */
export class SpawnFailure extends Error {
  constructor(
    message: string,
    readonly status: 126 | 127,
  ) {
    super(message);
  }
}

const FORWARDED: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * A command run in its own process group, so that stopping it reaches its children too.
 * SIGINT, SIGTERM and SIGHUP sent to us are forwarded to the whole group.
 */
export class GroupChild {
  readonly #child: ChildProcess;
  readonly ended: Promise<ChildEnd>;
  readonly #forward = (signal: NodeJS.Signals) => this.signal(signal);

  private constructor(child: ChildProcess, ended: Promise<ChildEnd>) {
    this.#child = child;
    this.ended = ended.finally(() => {
      for (const s of FORWARDED) process.off(s, this.#forward);
    });
    for (const s of FORWARDED) process.on(s, this.#forward);
  }

  /**
   * Starts `command` with inherited stdio.
   * @throws SpawnFailure (127 not found, 126 not executable).
   */
  static async start(
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ): Promise<GroupChild> {
    const child = spawn(command, args, { stdio: "inherit", detached: true, env });
    const ended = new Promise<ChildEnd>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (e: NodeJS.ErrnoException) => {
        const status = e.code === "ENOENT" ? 127 : 126;
        const why =
          e.code === "ENOENT"
            ? "command not found"
            : e.code === "EACCES"
              ? "permission denied"
              : e.message;
        reject(new SpawnFailure(`cannot run ${command}: ${why}`, status));
      });
    });
    return new GroupChild(child, ended);
  }

  /** Sends `signal` to the child's whole process group. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined || this.#child.exitCode !== null || this.#child.signalCode !== null)
      return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  /**
   * SIGTERM to the group now; SIGKILL to whatever is left of it after `graceMs`. Resolves when
   * the group is gone (or has been killed).
   */
  async stopGroup(graceMs: number): Promise<void> {
    this.signal("SIGTERM");
    const pid = this.#child.pid;
    if (pid === undefined) return;
    const until = performance.now() + graceMs;
    // The leader may exit while grandchildren linger, so watch the whole group, not the child.
    while (performance.now() < until && groupAlive(pid)) {
      await new Promise((r) => setTimeout(r, Math.min(100, until - performance.now())));
    }
    if (groupAlive(pid)) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // Nothing left to kill.
      }
    }
    await this.ended;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The status a shell reports for a child: its code, or 128 + signal number. */
export function shellStatus(end: ChildEnd): number {
  if (end.code !== null) return end.code;
  return 128 + (end.signal ? (constants.signals[end.signal] ?? 0) : 0);
}
