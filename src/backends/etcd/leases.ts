import type { IKeyValue } from "etcd3";
import type { EtcdConnection } from "./connection.js";

/** etcd leases count whole seconds: a TTL is rounded up, never down (600 ms holds for 1 s). */
export function leaseSeconds(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs / 1000));
}

/**
 * Grants an etcd lease for `ttlMs`, rounded up to whole seconds. etcd may raise it further to its
 * minimum (about 2 s with default heartbeat settings); `grantedMs` is what the server chose.
 */
export async function grantLease(
  conn: EtcdConnection,
  what: string,
  ttlMs: number,
  until: number,
): Promise<{ id: string; grantedMs: number }> {
  const res = await conn.call(
    `${what} (lease grant)`,
    (o) => conn.client.leaseClient.leaseGrant({ TTL: leaseSeconds(ttlMs) }, o),
    until,
  );
  return { id: res.ID, grantedMs: Number(res.TTL) * 1000 };
}

/** etcd's own count of time left on an etcd lease, in ms; undefined once it has expired. */
export async function timeLeft(
  conn: EtcdConnection,
  etcdLease: string,
  until: number,
): Promise<number | undefined> {
  const res = await conn.call(
    "lease time-to-live",
    (o) => conn.client.leaseClient.leaseTimeToLive({ ID: etcdLease }, o),
    until,
  );
  const ttl = Number(res.TTL);
  return ttl < 0 ? undefined : ttl * 1000;
}

/** Revokes an etcd lease that holds nothing of ours any more; failure is harmless (it expires). */
export async function revokeLease(
  conn: EtcdConnection,
  etcdLease: string,
  until: number,
): Promise<void> {
  try {
    await conn.call(
      "lease revoke",
      (o) => conn.client.leaseClient.leaseRevoke({ ID: etcdLease }, o),
      until,
    );
  } catch {
    // Already gone, or the cluster is unreachable: it expires by itself.
  }
}

/** Revokes the etcd leases that the deleted key-values were attached to. */
export async function revokeLeasesOf(
  conn: EtcdConnection,
  kvs: readonly IKeyValue[],
  until: number,
): Promise<void> {
  const ids = new Set(kvs.map((kv) => kv.lease).filter((id) => id !== "0"));
  await Promise.all([...ids].map((id) => revokeLease(conn, id, until)));
}
