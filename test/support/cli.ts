import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The built CLI; `npm test` builds before running. */
export const BIN = resolve(import.meta.dirname, "../../dist/bundle/leasehold.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with an isolated HOME/XDG (no stray config) unless env overrides them. */
export function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? sandboxDir(),
      env: { ...sandboxEnv(), ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", fail);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

let sandbox: string | undefined;
/** One temp HOME per test process, so no real ~/.leasehold.ini or state leaks in. */
export function sandboxDir(): string {
  if (!sandbox) {
    sandbox = mkdtempSync(join(tmpdir(), "leasehold-test-"));
    const dir = sandbox;
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return sandbox;
}

export function sandboxEnv(): NodeJS.ProcessEnv {
  const home = sandboxDir();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_STATE_HOME: join(home, ".state"),
  };
  delete env.LEASEHOLD_CONFIG;
  delete env.LEASEHOLD_DEBUG;
  return env;
}

/** Writes an INI file into the sandbox and returns its path. */
export function writeConfig(name: string, text: string): string {
  const path = join(sandboxDir(), name);
  writeFileSync(path, text);
  return path;
}
