import { spawn } from "node:child_process";
import { BIN, sandboxDir, sandboxEnv } from "./cli.js";

/**
 * Runs the built CLI under a pseudo-terminal (util-linux `script`), so stdin, stdout and stderr
 * are all a TTY; both streams arrive merged, with CRLF line ends. `input` is typed into it.
 */
export function runCliInPty(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<{ code: number | null; output: string }> {
  const quoted = [process.execPath, BIN, ...args]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(" ");
  return new Promise((done, fail) => {
    const child = spawn("script", ["-qec", quoted, "/dev/null"], {
      cwd: sandboxDir(),
      env: { ...sandboxEnv(), TERM: "xterm", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", fail);
    child.on("close", (code) => done({ code, output: output.replace(/\r\n/g, "\n") }));
    if (opts.input !== undefined) setTimeout(() => child.stdin.write(opts.input!), 1500);
    setTimeout(() => child.stdin.end(), opts.input !== undefined ? 2500 : 0);
  });
}
