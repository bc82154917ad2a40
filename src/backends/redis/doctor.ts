import type { Cluster, Redis } from "ioredis";
import type { DoctorCheck } from "../types.js";

/**
 * Health checks for `leasehold doctor`: reachability and version, and whether the server keeps
 * leases across a restart (AOF), since a Redis that forgets them can grant one lease twice.
 */
export async function inspectServer(
  client: Redis | Cluster,
  target: string,
  run: <T>(work: () => Promise<T>) => Promise<T>,
): Promise<DoctorCheck[]> {
  const info = parseInfo(await run(() => client.info("server")));
  const persistence = parseInfo(await run(() => client.info("persistence")));
  const mode = info.redis_mode ?? "standalone";
  const checks: DoctorCheck[] = [
    {
      name: "server",
      ok: true,
      detail: `Redis ${info.redis_version ?? "?"} (${mode}) at ${target}`,
    },
  ];
  const aof = persistence.aof_enabled === "1";
  checks.push(
    aof
      ? { name: "persistence", ok: true, detail: "append-only file enabled" }
      : {
          name: "persistence",
          ok: false,
          detail: "no append-only file: a restart can forget live leases and reset fences",
          fix: "set appendonly yes and appendfsync always on the server, or use etcd/PostgreSQL for leases that must survive a crash",
        },
  );
  return checks;
}

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}
