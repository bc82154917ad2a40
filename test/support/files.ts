import { readFileSync } from "node:fs";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until a child has finished writing one line to `path` and returns it trimmed. A shell's
 * `echo x > f` creates the file before it writes, so waiting for the file to exist can read it
 * empty; the trailing newline is what says the write is complete.
 */
export async function readLineWhenWritten(path: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let text = "";
    try {
      text = readFileSync(path, "utf8");
    } catch {
      // not created yet
    }
    if (text.endsWith("\n")) return text.trim();
    if (Date.now() > deadline) throw new Error(`${path} was not written within ${timeoutMs} ms`);
    await sleep(50);
  }
}
