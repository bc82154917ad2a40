import type { DoctorCheck } from "../types.js";
import type { EtcdConnection } from "./connection.js";

/**
 * `leasehold doctor` for etcd: asks every configured member for its status on a connection of
 * its own (so a dead member is named, not hidden by failover), then whether the cluster has a
 * leader that a majority of the configured members can see.
 */
export async function etcdDoctor(conn: EtcdConnection, name: string): Promise<DoctorCheck[]> {
  const section = `[backend.${name}]`;
  const checks = await Promise.all(
    conn.endpoints.map(async (endpoint): Promise<DoctorCheck & { leader?: string }> => {
      const one = conn.forMember(endpoint);
      try {
        const s = await one.call("status", (o) => one.client.maintenance.status(o));
        const leader = BigInt(s.leader).toString(16);
        const role = s.leader === s.header.member_id ? "leader" : `follower of ${leader}`;
        return {
          name: `member ${endpoint}`,
          ok: true,
          detail: `etcd ${s.version}, ${role}, raft term ${s.raftTerm}`,
          leader,
        };
      } catch (e) {
        const fix = `start that member, or remove it from endpoints in ${section}`;
        return { name: `member ${endpoint}`, ok: false, detail: (e as Error).message, fix };
      } finally {
        one.close();
      }
    }),
  );
  const up = checks.filter((c) => c.ok);
  const leaders = new Set(up.map((c) => c.leader));
  const quorum = up.length > conn.endpoints.length / 2 && leaders.size === 1 && !leaders.has("0");
  const detail = `${up.length} of ${conn.endpoints.length} configured members answer; leader ${[...leaders].join(", ") || "unknown"}`;
  const summary: DoctorCheck = quorum
    ? { name: "cluster", ok: true, detail }
    : {
        name: "cluster",
        ok: false,
        detail,
        fix: `check that a majority of the members in ${section} endpoints are running`,
      };
  return [...checks.map(({ leader: _, ...c }) => c), summary];
}
