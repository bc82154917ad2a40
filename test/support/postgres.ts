import { execFile, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port.js";

const run = promisify(execFile);

/** A PostgreSQL server for one test file: a throw-away cluster, or the one named by the environment. */
export interface PostgresServer {
  /** Connection URL for the superuser, over TCP on 127.0.0.1. */
  readonly url: string;
  /** With `tls`: the server's self-signed certificate (SAN 127.0.0.1, localhost), to use as CA. */
  readonly caFile?: string;
  /** True when this process started the cluster, so fault tests may stop, restart and freeze it. */
  readonly local: boolean;
  /** Shuts the cluster down at once (`pg_ctl stop -m immediate`); connections break. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /**
   * SIGSTOPs the postmaster and every server process: the kernel still accepts connections and
   * takes data, but nothing answers, like a hung host.
   */
  freeze(): void;
  /** Undoes `freeze`. */
  thaw(): void;
  /** Stops the cluster and removes its directory. Safe to call twice. */
  destroy(): Promise<void>;
}

/**
 * Starts PostgreSQL from the machine's binaries (`initdb` + `pg_ctl`) on a free loopback port in
 * a temp dir, or uses `LEASEHOLD_TEST_POSTGRES_URL` when set. The cluster is removed when the
 * test process exits, even after failures. With `tls`, the server accepts TCP connections only
 * over TLS (pg_hba `hostssl`), with a fresh self-signed certificate; `caFile` names it. With
 * `standbyOf` (a local primary's URL), it is a read-only hot standby streaming from that primary.
 */
export async function startPostgres(
  opts: { tls?: boolean; standbyOf?: string } = {},
): Promise<PostgresServer> {
  const external = process.env.LEASEHOLD_TEST_POSTGRES_URL;
  if (external && !opts.tls && !opts.standbyOf) return externalServer(external);
  const bin = findBinDir();
  const dir = mkdtempSync(join(tmpdir(), "leasehold-pg-"));
  const data = join(dir, "data");
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) chownSync(dir, ownerOf("postgres").uid, ownerOf("postgres").gid);
  const cmd = (tool: string, args: string[]): [string, string[]] =>
    asPostgres
      ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]]
      : [join(bin, tool), args];
  let port = 0;
  let destroyed = false;
  const stopSync = () => {
    const [file, args] = cmd("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    spawnSync(file, args, { stdio: "ignore" });
  };
  const onExit = () => {
    if (!destroyed) {
      try {
        // A frozen cluster would ignore the stop request until continued.
        signalCluster(
          Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]),
          "SIGCONT",
        );
      } catch {
        // Not running.
      }
      stopSync();
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", onExit);

  const initdb = "-U postgres --auth=trust -E UTF8 --no-sync --locale=C".split(" ");
  // A standby is a base backup of the primary that follows it (-R writes the recovery settings).
  const basebackup = ["-d", opts.standbyOf ?? "", "-R", "-X", "stream", "--no-sync"];
  await run(
    ...(opts.standbyOf
      ? cmd("pg_basebackup", ["-D", data, ...basebackup])
      : cmd("initdb", ["-D", data, ...initdb])),
  );
  const caFile = opts.tls ? await setUpTls(data, asPostgres) : undefined;
  const start = async () => {
    const flags = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
    ];
    if (caFile) flags.push("-c ssl=on");
    await run(
      ...cmd("pg_ctl", [
        "-D",
        data,
        "-l",
        join(dir, "log"),
        "-o",
        flags.join(" "),
        "-w",
        "-t",
        "30",
        "start",
      ]),
    );
  };
  // Another test file may grab the same free port between our probe and the server's bind.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (e) {
      if (attempt >= 3)
        throw new Error(`PostgreSQL did not start: ${(e as Error).message}\n${readLog(dir)}`);
    }
  }
  const postmasterPid = () =>
    Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    ...(caFile ? { caFile } : {}),
    local: true,
    stop: async () => {
      await run(...cmd("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]));
    },
    start,
    freeze: () => signalCluster(postmasterPid(), "SIGSTOP"),
    thaw: () => signalCluster(postmasterPid(), "SIGCONT"),
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      try {
        if (existsSync(join(data, "postmaster.pid"))) signalCluster(postmasterPid(), "SIGCONT");
      } catch {
        // Already gone.
      }
      stopSync();
      rmSync(dir, { recursive: true, force: true });
      process.off("exit", onExit);
    },
  };
}

function externalServer(url: string): PostgresServer {
  const refuse = () => {
    throw new Error("fault tests need a local cluster; unset LEASEHOLD_TEST_POSTGRES_URL");
  };
  return {
    url,
    local: false,
    stop: async () => refuse(),
    start: async () => refuse(),
    freeze: refuse,
    thaw: refuse,
    destroy: async () => {},
  };
}

/** `LEASEHOLD_TEST_PG_BINDIR`, else the newest /usr/lib/postgresql/N/bin, else PATH. */
function findBinDir(): string {
  const configured = process.env.LEASEHOLD_TEST_PG_BINDIR;
  if (configured) return configured;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((x, y) => Number(y) - Number(x))
    : [];
  if (versions[0]) return join(root, versions[0], "bin");
  const which = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim();
  if (which) return which.replace(/\/initdb$/, "");
  throw new Error(
    "PostgreSQL server binaries not found: run test/support/install/postgres.sh or set LEASEHOLD_TEST_POSTGRES_URL",
  );
}

function ownerOf(user: string): { uid: number; gid: number } {
  const out = spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout.trim();
  const gid = spawnSync("id", ["-g", user], { encoding: "utf8" }).stdout.trim();
  if (!out) throw new Error(`user ${user} not found: run test/support/install/postgres.sh`);
  return { uid: Number(out), gid: Number(gid) };
}

/** Writes server.crt/server.key (EC, self-signed) and a pg_hba.conf that demands TLS over TCP. */
async function setUpTls(data: string, chownToPostgres: boolean): Promise<string> {
  const crt = join(data, "server.crt");
  const key = join(data, "server.key");
  const args =
    "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost";
  await run("openssl", [
    ...args.split(" "),
    "-addext",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
    "-keyout",
    key,
    "-out",
    crt,
  ]);
  writeFileSync(
    join(data, "pg_hba.conf"),
    "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
  );
  chmodSync(key, 0o600);
  if (chownToPostgres) {
    const { uid, gid } = ownerOf("postgres");
    for (const f of [crt, key, join(data, "pg_hba.conf")]) chownSync(f, uid, gid);
  }
  return crt;
}

/** Signals the postmaster and its children (the backends serving open connections). */
function signalCluster(postmaster: number, signal: NodeJS.Signals): void {
  const children = readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        // Field 4 of /proc/PID/stat is the parent pid; the name field before it may hold spaces.
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  for (const pid of [postmaster, ...children]) {
    try {
      process.kill(pid, signal);
    } catch {
      // Exited meanwhile.
    }
  }
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, "log"), "utf8").slice(-2000);
  } catch {
    return "";
  }
}
