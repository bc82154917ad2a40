import { CompareResult, CompareTarget, type IKeyValue, type IRequestOp } from "etcd3";
import { type Held, type Lease, newLeaseId } from "../../lease/lease.js";
import type { AcquireRequest, Backend, DoctorCheck } from "../types.js";
import type { EtcdConnection } from "./connection.js";
import { KeyLayout } from "./keys.js";
import { listLeases } from "./list.js";
import { encodeRecord, groupStoredLeases, type StoredLease, toLease } from "./record.js";
import { waitForDelete } from "./watch.js";

/** etcd leases count whole seconds: a TTL is rounded up, never down (600 ms holds for 1 s). */
export function leaseSeconds(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs / 1000));
}

/** How long a waiter sleeps past the stored expiry before re-checking, if no event came. */
const EXPIRY_FALLBACK_MS = 1000;

/**
 * Leases in etcd (see keys.ts for the layout). Every change is one etcd transaction; expiry is
 * etcd's own lease clock deleting the keys; the fence is the record key's create revision,
 * which the cluster-wide revision counter makes strictly increasing.
 */
export class EtcdBackend implements Backend {
  readonly kind = "etcd";
  readonly #conn: EtcdConnection;
  readonly #keys: KeyLayout;
  readonly #waits = new Set<() => void>();

  constructor(conn: EtcdConnection, prefix: string) {
    this.#conn = conn;
    this.#keys = new KeyLayout(prefix);
  }

  /** Two round trips: grant an etcd lease, then one transaction that either takes the resource or reads its holder. */
  async acquire(resource: string, req: AcquireRequest): Promise<Lease | Held> {
    const until = this.#conn.deadline();
    const { kv, leaseClient } = this.#conn.client;
    const grant = await this.#conn.call("acquire (lease grant)", (o) => leaseClient.leaseGrant({ TTL: leaseSeconds(req.ttlMs) }, o), until);
    const grantedMs = Number(grant.TTL) * 1000; // etcd may raise a TTL to its minimum
    const createdMs = Date.now();
    const record = { id: newLeaseId(), principal: req.principal, reason: req.reason, createdMs };
    const k = this.#keys;
    const txn = await this.#conn.call(
      "acquire",
      (o) =>
        kv.txn(
          {
            // Free means the record key does not exist: never used, released, or expired by etcd.
            compare: [{ key: k.record(resource), target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
            success: this.#puts(resource, grant.ID, createdMs + grantedMs, { record: encodeRecord(record), id: record.id }),
            // Held: fetch the holder in the same round trip.
            failure: [{ request_range: k.resourceRange(resource) }],
          },
          o,
        ),
      until,
    );
    if (txn.succeeded) {
      const stored = { resource, record, expiresMs: createdMs + grantedMs, fence: Number(txn.header.revision), etcdLease: grant.ID };
      return toLease(stored, grantedMs);
    }
    const holder = this.#one(resource, txn.responses[0]?.response_range.kvs ?? []);
    // A retried transaction whose first attempt was applied finds our own lease: we won.
    if (holder?.record.id === record.id) return toLease(holder, grantedMs);
    // Lost: the fresh etcd lease holds nothing, so revoke it; meanwhile ask etcd the holder's time left.
    const [, left] = await Promise.all([this.#revoke(grant.ID, until), holder ? this.#timeLeft(holder.etcdLease, until) : 0]);
    if (!holder) throw this.#conn.translate("acquire", new Error("the compare failed but the range found no record"));
    return { status: "held", holder: toLease(holder, Math.max(0, left ?? 0)) };
  }

  /** One transaction comparing the stored id, deleting the keys; then the emptied etcd lease is revoked. */
  async release(resource: string, leaseId: string): Promise<boolean> {
    const until = this.#conn.deadline();
    const txn = await this.#conn.call(
      "release",
      (o) =>
        this.#conn.client.kv.txn(
          {
            compare: [this.#idIs(resource, leaseId)],
            success: [{ request_delete_range: { ...this.#keys.resourceRange(resource), prev_kv: true } }],
          },
          o,
        ),
      until,
    );
    if (!txn.succeeded) return false;
    await this.#revokeAll(txn.responses[0]?.response_delete_range.prev_kvs ?? [], until);
    return true;
  }

  /**
   * Grants a new etcd lease of the new TTL (longer or shorter), moves the keys onto it in one
   * transaction if the id still matches (the record keeps its value and create revision, so the
   * fence is unchanged), then revokes the old etcd lease.
   */
  async renew(resource: string, leaseId: string, ttlMs: number): Promise<Lease | undefined> {
    const until = this.#conn.deadline();
    const { kv, leaseClient } = this.#conn.client;
    const grant = await this.#conn.call("renew (lease grant)", (o) => leaseClient.leaseGrant({ TTL: leaseSeconds(ttlMs) }, o), until);
    const grantedMs = Number(grant.TTL) * 1000;
    const expiresMs = Date.now() + grantedMs;
    const txn = await this.#conn.call(
      "renew",
      (o) =>
        kv.txn(
          { compare: [this.#idIs(resource, leaseId)], success: this.#puts(resource, grant.ID, expiresMs, { id: leaseId }) },
          o,
        ),
      until,
    );
    if (!txn.succeeded) {
      await this.#revoke(grant.ID, until);
      return undefined;
    }
    const prev = txn.responses[0]?.response_put.prev_kv;
    if (!prev) return undefined; // unreachable: the id key and record share one etcd lease
    // A retried transaction may find the keys already on the new lease: never revoke that one.
    if (prev.lease !== grant.ID) await this.#revoke(prev.lease, until);
    const stored = this.#one(resource, [{ ...prev, lease: grant.ID }])!;
    return toLease({ ...stored, expiresMs }, grantedMs);
  }

  /** Two round trips: read the keys, then ask etcd how long their lease has left. */
  async current(resource: string): Promise<Lease | undefined> {
    const until = this.#conn.deadline();
    const res = await this.#conn.call("current", (o) => this.#conn.client.kv.range(this.#keys.resourceRange(resource), o), until);
    const stored = this.#one(resource, res.kvs);
    if (!stored) return undefined;
    const left = await this.#timeLeft(stored.etcdLease, until);
    // Expired by etcd's clock, deletion not yet applied: already gone for every purpose.
    return left === undefined ? undefined : toLease(stored, left);
  }

  /** One round trip: a linearizable read of the id key. */
  async isHeld(resource: string, leaseId: string): Promise<boolean> {
    const res = await this.#conn.call("is-held", (o) => this.#conn.client.kv.range({ key: this.#keys.id(resource) }, o));
    return res.kvs[0]?.value.toString("utf8") === leaseId;
  }

  list(prefix = ""): AsyncIterable<Lease> {
    return listLeases(this.#conn, this.#keys, prefix, (etcdLease, until) => this.#timeLeft(etcdLease, until));
  }

  async forceRelease(resource: string, onlyLeaseId?: string): Promise<boolean> {
    if (onlyLeaseId !== undefined) return this.release(resource, onlyLeaseId);
    const until = this.#conn.deadline();
    const res = await this.#conn.call(
      "force-release",
      (o) => this.#conn.client.kv.deleteRange({ ...this.#keys.resourceRange(resource), prev_kv: true }, o),
      until,
    );
    await this.#revokeAll(res.prev_kvs, until);
    return res.prev_kvs.some((kv) => this.#keys.parse(kv.key)?.part === "d");
  }

  /** Reads the record once, then watches it from that revision for a delete (release or expiry). */
  async waitForChange(resource: string, untilMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const res = await this.#conn.call("wait", (o) => this.#conn.client.kv.range(this.#keys.resourceRange(resource), o));
    const stored = this.#one(resource, res.kvs);
    if (!stored) return;
    // The delete event normally wakes us; the fallback covers a watch that silently stalls.
    const fallback = Math.max(Date.now(), Number.isFinite(stored.expiresMs) ? stored.expiresMs : 0) + EXPIRY_FALLBACK_MS;
    const fromRevision = String(BigInt(res.header.revision) + 1n);
    await waitForDelete(this.#conn, { key: this.#keys.record(resource), fromRevision, wakeAtMs: Math.min(untilMs, fallback), signal }, this.#waits);
  }

  async doctor(): Promise<DoctorCheck[]> {
    const status = await this.#conn.call("status", (o) => this.#conn.client.maintenance.status(o));
    const members = await this.#conn.call("member list", (o) => this.#conn.client.cluster.memberList({}, o));
    return [
      { name: "cluster", ok: true, detail: `etcd ${status.version}, leader ${status.leader}, ${members.members.length} member(s)` },
    ];
  }

  async close(): Promise<void> {
    for (const stop of [...this.#waits]) stop();
    this.#conn.close();
  }

  /** Puts for the three keys on etcd lease `etcdLease`; with no record value, the record keeps its own. */
  #puts(resource: string, etcdLease: string, expiresMs: number, v: { record?: Buffer; id: string }): IRequestOp[] {
    const k = this.#keys;
    const record = v.record
      ? { key: k.record(resource), value: v.record, lease: etcdLease }
      : { key: k.record(resource), ignore_value: true, lease: etcdLease, prev_kv: true };
    return [
      { request_put: record },
      { request_put: { key: k.id(resource), value: Buffer.from(v.id, "utf8"), lease: etcdLease } },
      { request_put: { key: k.expiry(resource), value: Buffer.from(String(expiresMs)), lease: etcdLease } },
    ];
  }

  /** The compare "this resource's id key holds exactly `leaseId`" (false when the key is absent). */
  #idIs(resource: string, leaseId: string) {
    return { key: this.#keys.id(resource), target: CompareTarget.Value, result: CompareResult.Equal, value: Buffer.from(leaseId, "utf8") };
  }

  #one(resource: string, kvs: readonly IKeyValue[]): StoredLease | undefined {
    return groupStoredLeases(this.#keys, kvs).find((s) => s.resource === resource);
  }

  /** etcd's remaining time on an etcd lease in ms, or undefined once it has expired. */
  async #timeLeft(etcdLease: string, until: number): Promise<number | undefined> {
    const res = await this.#conn.call("lease time-to-live", (o) => this.#conn.client.leaseClient.leaseTimeToLive({ ID: etcdLease }, o), until);
    const ttl = Number(res.TTL);
    return ttl < 0 ? undefined : ttl * 1000;
  }

  /** Revokes etcd leases that no longer hold anything of ours; failure is harmless (they expire). */
  async #revokeAll(kvs: readonly IKeyValue[], until: number): Promise<void> {
    const ids = new Set(kvs.map((kv) => kv.lease).filter((id) => id !== "0"));
    await Promise.all([...ids].map((id) => this.#revoke(id, until)));
  }

  async #revoke(etcdLease: string, until: number): Promise<void> {
    try {
      await this.#conn.call("lease revoke", (o) => this.#conn.client.leaseClient.leaseRevoke({ ID: etcdLease }, o), until);
    } catch {
      // Already gone, or the cluster is unreachable: it holds no keys of ours and expires by itself.
    }
  }
}
