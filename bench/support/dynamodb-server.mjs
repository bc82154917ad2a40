// Starts a throw-away dynalite (in-memory DynamoDB API) for the DynamoDB benchmark, in a child
// process on a free loopback port, like test/support/dynamodb.ts. Plain JS, so
// `node bench/dynamodb.mjs` needs no TypeScript tooling.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createConnection } from "node:net";
import { freePort } from "./free-port.mjs";

const CLI = createRequire(import.meta.url).resolve("dynalite/cli.js");

function accepts(port) {
  return new Promise((done) => {
    const sock = createConnection({ port, host: "127.0.0.1" });
    sock.once("connect", () => {
      sock.destroy();
      done(true);
    });
    sock.once("error", () => done(false));
  });
}

/** Resolves to { endpoint, stop() } once dynalite answers; killed when this process exits. */
export async function startDynalite() {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [CLI, "--host", "127.0.0.1", "--port", String(port), "--createTableMs", "0"],
      { stdio: "ignore" },
    );
    const kill = () => child.exitCode === null && child.kill("SIGKILL");
    process.on("exit", kill);
    const until = Date.now() + 10_000;
    while (Date.now() < until && child.exitCode === null) {
      if (await accepts(port)) return { endpoint: `http://127.0.0.1:${port}`, stop: kill };
      await new Promise((r) => setTimeout(r, 30));
    }
    kill();
  }
  throw new Error("dynalite did not start");
}
