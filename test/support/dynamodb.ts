import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createConnection } from "node:net";
import { freePort } from "./free-port.js";

const DYNALITE_CLI = createRequire(import.meta.url).resolve("dynalite/cli.js");

/** A throw-away in-memory dynalite (DynamoDB API) in its own process, for one test file. */
export interface DynaliteServer {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** Options for the dynamodb backend's `create`, pointing at this server. */
  options(
    extra?: Record<string, string | number | boolean>,
  ): Record<string, string | number | boolean>;
  /** A `[backend.NAME]` INI section pointing at this server, plus `extra` lines. */
  ini(name: string, extra?: string): string;
  /** SIGSTOPs the server: the kernel still accepts connections, nothing answers. */
  freeze(): void;
  /** Undoes `freeze`. */
  thaw(): void;
  /** Kills the server (its in-memory data is lost). */
  stop(): Promise<void>;
  /** Kills the server. Safe to call twice. */
  destroy(): Promise<void>;
}

/**
 * Starts dynalite (in memory: no temp dir to clean) on a free 127.0.0.1 port in a child
 * process, so tests can freeze or kill it. The child is killed when the test process exits,
 * even after failures.
 */
export async function startDynalite(): Promise<DynaliteServer> {
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    child = spawn(
      process.execPath,
      [
        DYNALITE_CLI,
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--createTableMs",
        "0",
        "--deleteTableMs",
        "0",
        "--updateTableMs",
        "0",
      ],
      { stdio: "ignore" },
    );
    if (await listening(port, child)) break;
    child.kill("SIGKILL");
    if (attempt >= 3) throw new Error(`dynalite did not start on 127.0.0.1:${port}`);
  }
  const proc = child;
  const kill = () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGCONT");
      proc.kill("SIGKILL");
    }
  };
  process.on("exit", kill);
  const stop = async () => {
    kill();
    if (proc.exitCode === null && proc.signalCode === null) {
      await new Promise((r) => proc.once("exit", r));
    }
  };
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    options: (extra = {}) => ({
      endpoint,
      region: "us-east-1",
      access_key_id: "leaseholdtest",
      secret_access_key: "leasehold-test-secret",
      table: "leasehold",
      create_table: true,
      max_attempts: 3,
      ...extra,
    }),
    ini: (name, extra = "") =>
      `[backend.${name}]\ntype = dynamodb\nendpoint = ${endpoint}\nregion = us-east-1\naccess_key_id = leaseholdtest\nsecret_access_key = leasehold-test-secret\ncreate_table = true\n${extra}`,
    freeze: () => proc.kill("SIGSTOP"),
    thaw: () => proc.kill("SIGCONT"),
    stop,
    destroy: async () => {
      await stop();
      process.off("exit", kill);
    },
  };
}

/** A port the kernel just handed out on 127.0.0.1 (another process may still take it). */

/** Resolves true once `port` accepts connections, false if the child exits or 10 s pass. */
async function listening(port: number, child: ChildProcess): Promise<boolean> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const sock = createConnection({ port, host: "127.0.0.1" });
      sock.once("connect", () => {
        sock.destroy();
        resolve(true);
      });
      sock.once("error", () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 30));
  }
  return false;
}
