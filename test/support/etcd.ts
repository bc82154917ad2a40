import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "../../src/backends/etcd/index.js";
import type { Backend } from "../../src/backends/types.js";
import { runCli } from "./cli.js";
import { freePort } from "./free-port.js";
import { uniqueName } from "./names.js";

/** One etcd member started by the tests, on loopback ports of its own. */
export interface EtcdMember {
  readonly name: string;
  /** `http://127.0.0.1:PORT` (https with TLS), for `endpoints`. */
  readonly clientUrl: string;
  /** Plain-HTTP URL serving /health and /metrics. */
  readonly metricsUrl: string;
  /** Kills the member (SIGKILL, like a crashed host); its data dir stays for `start`. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data dir; resolves once it answers /health. */
  start(): Promise<void>;
  /** SIGSTOPs it: connections are accepted by the kernel but never answered. */
  freeze(): void;
  /** Undoes `freeze`. */
  thaw(): void;
}

/** A throw-away etcd cluster (one or more members) for one test file. */
export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Every member's client URL, comma-separated, as `endpoints =` takes them. */
  readonly endpoints: string;
  /** The member that is raft leader now (read from each member's /metrics). */
  leader(): Promise<EtcdMember>;
  /** Kills every member and removes the temp dir. Safe to call twice. */
  destroy(): Promise<void>;
}

/** A backend client as the registry would build it from `[backend.etcd] endpoints = …`. */
export function etcdClient(endpoints: string, timeoutMs = 10_000): Promise<Backend> {
  return create({
    name: "etcd",
    options: {
      endpoints: endpoints.split(","),
      prefix: "/leasehold-test/",
      dial_timeout: 2000,
      command_timeout: 5000,
    },
    timeoutMs,
  });
}

/** The etcd binary: `LEASEHOLD_TEST_ETCD_BIN`, else `etcd` on PATH (Debian's etcd-server). */
function etcdBinary(): string {
  const configured = process.env.LEASEHOLD_TEST_ETCD_BIN;
  if (configured) return configured;
  const found = spawnSync("sh", ["-c", "command -v etcd"], { encoding: "utf8" }).stdout.trim();
  if (!found)
    throw new Error(
      "etcd not found: run test/support/install/etcd.sh (Debian etcd-server) or set LEASEHOLD_TEST_ETCD_BIN",
    );
  return found;
}

/** PEM files for serving clients over TLS and requiring client certificates signed by `ca`. */
export interface EtcdTls {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/**
 * Starts an etcd cluster of `size` members on free 127.0.0.1 ports, data on tmpfs when the
 * machine has /dev/shm; with `tls`, clients must use https and a client certificate. Health and
 * leadership are read from a plain-HTTP metrics port either way. Members are killed and the
 * directory removed when the test process exits, even after failures.
 */
export async function startEtcd(size = 1, tls?: EtcdTls): Promise<EtcdCluster> {
  const bin = etcdBinary();
  const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const dir = mkdtempSync(join(base, "leasehold-etcd-"));
  const children = new Set<ChildProcess>();
  let destroyed = false;
  const killAll = () => {
    for (const child of children) {
      try {
        child.kill("SIGCONT");
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }
  };
  const onExit = () => {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", onExit);

  // Another test file may take a port between our probe and etcd's bind: retry with new ports.
  for (let attempt = 1; ; attempt++) {
    const specs = await Promise.all(
      Array.from({ length: size }, async (_, i) => ({
        name: `m${i}`,
        client: await freePort(),
        peer: await freePort(),
        metrics: await freePort(),
        tls,
      })),
    );
    const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(",");
    const members = specs.map((s) => makeMember(bin, dir, s, initialCluster, children));
    try {
      // Members of a new cluster wait for each other before answering /health: start them together.
      await Promise.all(members.map((m) => m.start()));
      return {
        members,
        endpoints: members.map((m) => m.clientUrl).join(","),
        leader: () => findLeader(members),
        destroy: async () => {
          if (destroyed) return;
          destroyed = true;
          killAll();
          await Promise.all([...children].map((c) => exited(c)));
          rmSync(dir, { recursive: true, force: true });
          process.off("exit", onExit);
        },
      };
    } catch (e) {
      killAll();
      await Promise.all([...children].map((c) => exited(c)));
      rmSync(join(dir, "data"), { recursive: true, force: true });
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        process.off("exit", onExit);
        throw e;
      }
    }
  }
}

interface MemberSpec {
  name: string;
  client: number;
  peer: number;
  metrics: number;
  tls: EtcdTls | undefined;
}

function makeMember(
  bin: string,
  dir: string,
  s: MemberSpec,
  initialCluster: string,
  children: Set<ChildProcess>,
): EtcdMember {
  const clientUrl = `${s.tls ? "https" : "http"}://127.0.0.1:${s.client}`;
  const metricsUrl = `http://127.0.0.1:${s.metrics}`;
  const log = join(dir, `${s.name}.log`);
  let child: ChildProcess | undefined;
  const args = [
    "--name",
    s.name,
    "--data-dir",
    join(dir, "data", s.name),
    "--listen-client-urls",
    clientUrl,
    "--advertise-client-urls",
    clientUrl,
    "--listen-peer-urls",
    `http://127.0.0.1:${s.peer}`,
    "--initial-advertise-peer-urls",
    `http://127.0.0.1:${s.peer}`,
    "--initial-cluster",
    initialCluster,
    "--initial-cluster-state",
    "new",
    "--logger",
    "zap",
    "--log-outputs",
    log,
    "--listen-metrics-urls",
    metricsUrl,
    ...(s.tls
      ? [
          "--cert-file",
          s.tls.cert,
          "--key-file",
          s.tls.key,
          "--trusted-ca-file",
          s.tls.ca,
          "--client-cert-auth",
        ]
      : []),
  ];
  return {
    name: s.name,
    clientUrl,
    metricsUrl,
    async start() {
      const c = spawn(bin, args, { stdio: "ignore" });
      child = c;
      children.add(c);
      c.once("exit", () => children.delete(c));
      await waitHealthy(metricsUrl, c, log);
    },
    async stop() {
      if (!child) return;
      const c = child;
      child = undefined;
      c.kill("SIGCONT");
      c.kill("SIGKILL");
      await exited(c);
    },
    freeze: () => child?.kill("SIGSTOP"),
    thaw: () => child?.kill("SIGCONT"),
  };
}

/** Polls the member's /health until it reports healthy (a quorum exists), up to 20 s. */
async function waitHealthy(url: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`etcd exited at start:\n${tail(log)}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      if (body.health === "true") return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd at ${url} not healthy after 20 s:\n${tail(log)}`);
}

async function findLeader(members: readonly EtcdMember[]): Promise<EtcdMember> {
  for (let attempt = 0; attempt < 50; attempt++) {
    for (const m of members) {
      try {
        const text = await (
          await fetch(`${m.metricsUrl}/metrics`, { signal: AbortSignal.timeout(1000) })
        ).text();
        if (/^etcd_server_is_leader 1$/m.test(text)) return m;
      } catch {
        // Stopped or frozen member.
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no etcd member reports being leader");
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once("exit", () => done()));
}

function tail(path: string): string {
  try {
    return readFileSync(path, "utf8").slice(-2000);
  } catch {
    return "";
  }
}

/**
 * `leasehold acquire` through the CLI on a fresh resource named after `label`, returning the
 * resource and the printed lease id. A lease id may begin with "-", which the CLI's argument
 * parser then takes for an option in later commands (reported to the lead); such a lease is
 * left to expire and another resource is tried, so these tests do not flake on it.
 */
export async function cliAcquire(
  config: string,
  label: string,
): Promise<{ resource: string; id: string }> {
  for (;;) {
    const resource = uniqueName(label);
    const res = await runCli(["-c", config, "acquire", resource]);
    if (res.code !== 0) throw new Error(`acquire exited ${res.code}: ${res.stderr}`);
    const id = res.stdout.trim();
    if (!id.startsWith("-")) return { resource, id };
  }
}
