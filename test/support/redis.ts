import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A throw-away redis-server on a free loopback port, in its own temp dir. */
export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  /** redis://127.0.0.1:PORT (no credentials). */
  readonly url: string;
  /** Stops the process (SIGKILL: a crash, not a graceful shutdown); the port stays reserved for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port and dir. */
  start(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections open, nothing answered. */
  pause(): void;
  resume(): void;
  /** Stops it for good and removes its dir. */
  destroy(): Promise<void>;
}

const live = new Set<RedisServer>();
process.on("exit", () => {
  // Last resort when a test run dies before its teardown: no stray servers or temp dirs.
  for (const s of live) {
    s.resume();
    void s.stop();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

/** Certificate files for a TLS server: a throw-away CA and a cert for 127.0.0.1/localhost. */
export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** Removes the files (also attempted at process exit, which a test worker may not reach). */
  remove(): void;
}

/** Starts redis-server without persistence (`--save "" --appendonly no`) on 127.0.0.1. */
export async function startRedis(
  opts: { password?: string; args?: string[]; needBusPort?: boolean; tls?: TlsFiles } = {},
): Promise<RedisServer> {
  return startProcess(opts.needBusPort ?? false, /Ready to accept connections/, (port, dir) => [
    ...(opts.tls
      ? [
          "--port",
          "0",
          "--tls-port",
          String(port),
          "--tls-cert-file",
          opts.tls.cert,
          "--tls-key-file",
          opts.tls.key,
          "--tls-ca-cert-file",
          opts.tls.ca,
          "--tls-auth-clients",
          "no",
        ]
      : ["--port", String(port)]),
    ...[
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--daemonize",
      "no",
    ],
    ...(opts.password ? ["--requirepass", opts.password] : []),
    ...(opts.args ?? []),
  ]);
}

/** Starts one Sentinel (quorum 1) monitoring the primary on `masterPort` as `name`. */
export async function startSentinel(masterPort: number, name = "mymaster"): Promise<RedisServer> {
  return startProcess(false, /\+monitor master/, (port, dir) => {
    const conf = join(dir, "sentinel.conf");
    // Sentinel rewrites its config file, so it must be a file of its own in a writable dir.
    writeFileSync(
      conf,
      `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor ${name} 127.0.0.1 ${masterPort} 1\nsentinel down-after-milliseconds ${name} 5000\n`,
    );
    return [conf, "--sentinel"];
  });
}

/** Generates a CA and a server certificate with openssl into a new temp dir. */
export async function makeTlsFiles(): Promise<TlsFiles> {
  const dir = mkdtempSync(join(tmpdir(), "leasehold-redis-tls-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.on("exit", remove);
  const f = (name: string) => join(dir, name);
  writeFileSync(f("ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=leasehold test CA",
  ]);
  await run("openssl", [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    f("server.key"),
    "-out",
    f("server.csr"),
    "-subj",
    "/CN=localhost",
  ]);
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("server.pem"),
    "-days",
    "2",
    "-extfile",
    f("ext"),
  ]);
  return { ca: f("ca.pem"), cert: f("server.pem"), key: f("server.key"), remove };
}

async function startProcess(
  needBusPort: boolean,
  ready: RegExp,
  argsFor: (port: number, dir: string) => string[],
): Promise<RedisServer> {
  const port = await freePort(needBusPort);
  const dir = mkdtempSync(join(tmpdir(), "leasehold-redis-"));
  const args = argsFor(port, dir);
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = await launch(args, ready);
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((r) => c.once("exit", r));
      c.kill("SIGCONT");
      c.kill("SIGKILL");
      await gone;
    },
    pause() {
      child?.kill("SIGSTOP");
    },
    resume() {
      child?.kill("SIGCONT");
    },
    async destroy() {
      live.delete(server);
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(server);
  try {
    await server.start();
  } catch (e) {
    await server.destroy();
    throw e;
  }
  return server;
}

/** Spawns redis-server and resolves once its log matches `ready`. */
function launch(args: string[], ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    const timer = setTimeout(
      () => fail(new Error(`redis-server did not start within 10 s:\n${log}`)),
      10_000,
    );
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(e);
    };
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`redis-server exited (${code}):\n${log}`)));
    const onData = (d: Buffer) => {
      log += d;
      if (ready.test(log)) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        child.stdout?.removeAllListeners("data");
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => (log += d));
  });
}

/** Three primaries joined with `redis-cli --cluster create`, no replicas. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  /** `127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3` for the `cluster` option. */
  readonly seeds: string;
  destroy(): Promise<void>;
}

/** Starts a Redis Cluster of `size` primaries on loopback and waits until it serves every slot. */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  const destroy = async () => {
    await Promise.all(nodes.map((n) => n.destroy()));
  };
  try {
    for (let i = 0; i < size; i++) {
      nodes.push(
        await startRedis({
          needBusPort: true,
          args: [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "5000",
          ],
        }),
      );
    }
    const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run("redis-cli", ["--cluster", "create", ...addrs, "--cluster-yes"], { timeout: 30_000 });
    const deadline = Date.now() + 30_000;
    for (const n of nodes) {
      while (!(await cli(n.port, "cluster", "info")).includes("cluster_state:ok")) {
        if (Date.now() > deadline)
          throw new Error(`cluster node ${n.port} did not reach cluster_state:ok`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return { nodes, seeds: addrs.join(","), destroy };
  } catch (e) {
    await destroy();
    throw e;
  }
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], {
    timeout: 5_000,
  });
  return stdout;
}

/** A port free on 127.0.0.1 (and, for cluster nodes, port + 10000 for the cluster bus). */
async function freePort(needBusPort: boolean): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = needBusPort ? 20_000 + Math.floor(Math.random() * 30_000) : await bindable(0);
    if (
      (await bindable(port)) === port &&
      (!needBusPort || (await bindable(port + 10_000)) === port + 10_000)
    )
      return port;
  }
  throw new Error("no free port found");
}

function bindable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(undefined));
    srv.listen(port, "127.0.0.1", () => {
      const got = (srv.address() as { port: number }).port;
      srv.close(() => resolve(got));
    });
  });
}
