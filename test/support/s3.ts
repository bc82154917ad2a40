import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./free-port.js";

const START_SCRIPT = resolve(import.meta.dirname, "rgw/start.sh");

/** A throw-away Ceph RADOS Gateway (plus its monitor and memstore OSD) for one test file. */
export interface RgwServer {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** The second gateway's endpoint, when started with `{ gateways: 2 }`. */
  readonly secondEndpoint: string | undefined;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Options for the s3 backend's `create`, pointing at this server. */
  options(
    extra?: Record<string, string | number | boolean>,
  ): Record<string, string | number | boolean>;
  /** A `[backend.NAME]` INI section pointing at this server, plus `extra` lines. */
  ini(name: string, extra?: string): string;
  /** Kills the gateway (SIGKILL, like a crash); the cluster and its objects stay. */
  stopGateway(): Promise<void>;
  /** Starts the gateway again on the same port; resolves once it answers. */
  startGateway(): Promise<void>;
  /** SIGSTOPs the gateway: the kernel still accepts connections, nothing answers. */
  freezeGateway(): void;
  /** Undoes `freezeGateway`. */
  thawGateway(): void;
  /** Kills every daemon and removes the temp dir. Safe to call twice. */
  destroy(): Promise<void>;
}

/**
 * Starts a single-node Ceph cluster serving S3 on free 127.0.0.1 ports (about 2–3 s), in a temp
 * dir on tmpfs when available. The daemons are killed and the dir removed when the test process
 * exits, even after failures. Needs `radosgw ceph-mon ceph-osd` (test/support/install/s3.sh).
 * `gateways: 2` adds a second gateway on the same cluster, like two behind a load balancer.
 */
export async function startRgw(opts: { gateways?: 1 | 2 } = {}): Promise<RgwServer> {
  const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const dir = mkdtempSync(join(base, "leasehold-rgw-"));
  const cleanup = () => {
    killDaemons(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", cleanup);
  const keys = {
    accessKeyId: "LEASEHOLDTESTKEY0001",
    secretAccessKey: "leasehold-test-secret-0000000000000001",
    bucket: "leases",
  };
  let port = 0;
  let port2: number | undefined;
  // Another process may take a port between our probe and Ceph's bind: retry with new ports.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    port2 = opts.gateways === 2 ? await freePort() : undefined;
    const [osdMin, osdMax] = await freeRange(16);
    const args = [
      START_SCRIPT,
      dir,
      String(port),
      String(await freePort()),
      String(osdMin),
      String(osdMax),
      keys.accessKeyId,
      keys.secretAccessKey,
      keys.bucket,
      ...(port2 === undefined ? [] : [String(port2)]),
    ];
    const result = await run("bash", args, {});
    if (result.code === 0) break;
    killDaemons(dir);
    for (const entry of readdirSync(dir))
      rmSync(join(dir, entry), { recursive: true, force: true });
    if (attempt >= 3) {
      cleanup();
      process.off("exit", cleanup);
      throw new Error(
        `Ceph RGW did not start (is test/support/install/s3.sh done?):\n${result.output.slice(-3000)}`,
      );
    }
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const cephEnv = { CEPH_CONF: join(dir, "ceph.conf") };
  const signalGateway = (sig: NodeJS.Signals) => {
    const pid = readPid(dir, "client.rgw.a");
    if (pid !== undefined) trySignal(pid, sig);
  };
  let destroyed = false;
  return {
    endpoint,
    secondEndpoint: port2 === undefined ? undefined : `http://127.0.0.1:${port2}`,
    ...keys,
    options: (extra = {}) => ({
      bucket: keys.bucket,
      endpoint,
      force_path_style: true,
      region: "us-east-1",
      access_key_id: keys.accessKeyId,
      secret_access_key: keys.secretAccessKey,
      prefix: "leasehold/",
      max_attempts: 3,
      ...extra,
    }),
    ini: (name, extra = "") =>
      `[backend.${name}]\ntype = s3\nbucket = ${keys.bucket}\nendpoint = ${endpoint}\nforce_path_style = true\nregion = us-east-1\naccess_key_id = ${keys.accessKeyId}\nsecret_access_key = ${keys.secretAccessKey}\n${extra}`,
    stopGateway: async () => {
      const pid = readPid(dir, "client.rgw.a");
      if (pid === undefined) return;
      trySignal(pid, "SIGCONT");
      trySignal(pid, "SIGKILL");
      while (alive(pid)) await sleep(20);
    },
    startGateway: async () => {
      const result = await run("radosgw", ["-n", "client.rgw.a"], cephEnv);
      if (result.code !== 0) throw new Error(`radosgw did not start: ${result.output}`);
      await waitForHttp(endpoint, 30_000);
    },
    freezeGateway: () => signalGateway("SIGSTOP"),
    thawGateway: () => signalGateway("SIGCONT"),
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      cleanup();
      process.off("exit", cleanup);
    },
  };
}

/** SIGKILLs every daemon whose pid file is in the cluster's run dir (SIGCONT first, if frozen). */
function killDaemons(dir: string): void {
  for (const name of ["client.rgw.a", "client.rgw.b", "osd.0", "mon.a"]) {
    const pid = readPid(dir, name);
    if (pid === undefined) continue;
    trySignal(pid, "SIGCONT");
    trySignal(pid, "SIGKILL");
  }
}

function readPid(dir: string, name: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, "run", `${name}.pid`), "utf8").trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function trySignal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (e) => done({ code: -1, output: String(e) }));
    child.on("close", (code) => done({ code, output }));
  });
}

async function waitForHttp(url: string, withinMs: number): Promise<void> {
  const end = Date.now() + withinMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > end) throw new Error(`${url} did not answer within ${withinMs} ms`);
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port the kernel says is free right now. */

/** `count` consecutive free ports (the OSD binds several from a range). */
async function freeRange(count: number): Promise<[number, number]> {
  for (;;) {
    const start = 20000 + Math.floor(Math.random() * 30000);
    const ports = Array.from({ length: count }, (_, i) => start + i);
    if ((await Promise.all(ports.map(canBind))).every(Boolean)) return [start, start + count - 1];
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once("error", () => done(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => done(true)));
  });
}
