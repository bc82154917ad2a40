import type { IKeyValue } from "etcd3";
import { type Held, type Lease, newLeaseId, sameLeaseId } from "../../lease/lease.js";
import type { AcquireRequest, Backend, DoctorCheck } from "../types.js";
import type { EtcdConnection } from "./connection.js";
import { etcdDoctor } from "./doctor.js";
import { KeyLayout } from "./keys.js";
import { grantLease, revokeLease, revokeLeasesOf, timeLeft } from "./leases.js";
import { listLeases } from "./list.js";
import { groupStoredLeases, type StoredLease, toLease } from "./record.js";
import { acquireTxn, releaseTxn, renewTxn } from "./requests.js";
import { waitForDelete } from "./watch.js";

/** How long a waiter sleeps past the stored expiry before re-checking, if no event came. */
const EXPIRY_FALLBACK_MS = 1000;

/**
 * Leases in etcd (see keys.ts for the layout, requests.ts for the transactions). Every change is
 * one etcd transaction; expiry is etcd's own lease clock deleting the keys; the fence is the
 * record key's create revision, which the cluster-wide revision counter makes strictly increasing.
 * Operations that take several requests share one deadline (`timeout`).
 */
export class EtcdBackend implements Backend {
  readonly kind = "etcd";
  readonly #conn: EtcdConnection;
  readonly #keys: KeyLayout;
  readonly #waits = new Set<() => void>();
  #closed = false;

  constructor(conn: EtcdConnection, prefix: string) {
    this.#conn = conn;
    this.#keys = new KeyLayout(prefix);
  }

  /** Two round trips: grant an etcd lease, then one transaction that takes the resource or reads its holder. */
  async acquire(resource: string, req: AcquireRequest): Promise<Lease | Held> {
    const conn = this.#conn;
    const until = conn.deadline();
    const grant = await grantLease(conn, "acquire", req.ttlMs, until);
    const createdMs = Date.now();
    const expiresMs = createdMs + grant.grantedMs;
    const record = { id: newLeaseId(), principal: req.principal, reason: req.reason, createdMs };
    const request = acquireTxn(this.#keys, resource, grant.id, expiresMs, record);
    const txn = await conn.call("acquire", (o) => conn.client.kv.txn(request, o), until);
    if (txn.succeeded) {
      const fence = Number(txn.header.revision); // the record's create revision: this very txn
      return toLease({ resource, record, expiresMs, fence, etcdLease: grant.id }, grant.grantedMs);
    }
    const holder = this.#one(resource, txn.responses[0]?.response_range.kvs ?? []);
    if (!holder)
      throw conn.translate("acquire", new Error("compare failed but no record was read"));
    // A retried transaction whose first attempt was applied finds our own lease: we won.
    if (holder.record.id === record.id) return toLease(holder, grant.grantedMs);
    // Lost: the fresh etcd lease holds nothing, so revoke it; meanwhile ask etcd the holder's time left.
    const [, left] = await Promise.all([
      revokeLease(conn, grant.id, until),
      timeLeft(conn, holder.etcdLease, until),
    ]);
    return { status: "held", holder: toLease(holder, left ?? 0) };
  }

  /** One transaction compares the stored id and deletes the keys; then the emptied etcd lease is revoked. */
  async release(resource: string, leaseId: string): Promise<boolean> {
    const conn = this.#conn;
    const until = conn.deadline();
    const request = releaseTxn(this.#keys, resource, leaseId);
    const txn = await conn.call("release", (o) => conn.client.kv.txn(request, o), until);
    if (!txn.succeeded) return false;
    await revokeLeasesOf(conn, txn.responses[0]?.response_delete_range.prev_kvs ?? [], until);
    return true;
  }

  /**
   * Grants an etcd lease of the new TTL (longer or shorter), moves the keys onto it in one
   * transaction if the id still matches, then revokes the old etcd lease.
   */
  async renew(resource: string, leaseId: string, ttlMs: number): Promise<Lease | undefined> {
    const conn = this.#conn;
    const until = conn.deadline();
    const grant = await grantLease(conn, "renew", ttlMs, until);
    const expiresMs = Date.now() + grant.grantedMs;
    const request = renewTxn(this.#keys, resource, leaseId, grant.id, expiresMs);
    const txn = await conn.call("renew", (o) => conn.client.kv.txn(request, o), until);
    const prev = txn.succeeded ? txn.responses[0]?.response_put.prev_kv : undefined;
    if (!prev) {
      await revokeLease(conn, grant.id, until);
      return undefined;
    }
    // A retried transaction may find the keys already on the new lease: never revoke that one.
    if (prev.lease !== grant.id) await revokeLease(conn, prev.lease, until);
    const stored = this.#one(resource, [prev]);
    return stored && toLease({ ...stored, expiresMs, etcdLease: grant.id }, grant.grantedMs);
  }

  /** Two round trips: read the keys, then ask etcd how long their lease has left. */
  async current(resource: string): Promise<Lease | undefined> {
    const conn = this.#conn;
    const until = conn.deadline();
    const range = this.#keys.resourceRange(resource);
    const res = await conn.call("current", (o) => conn.client.kv.range(range, o), until);
    const stored = this.#one(resource, res.kvs);
    if (!stored) return undefined;
    const left = await timeLeft(conn, stored.etcdLease, until);
    // Expired by etcd's clock, deletion not yet applied: already gone for every purpose.
    return left === undefined ? undefined : toLease(stored, left);
  }

  /** One round trip: a linearizable read of the id key. */
  async isHeld(resource: string, leaseId: string): Promise<boolean> {
    const key = this.#keys.id(resource);
    const res = await this.#conn.call("is-held", (o) => this.#conn.client.kv.range({ key }, o));
    return sameLeaseId(res.kvs[0]?.value.toString("utf8"), leaseId);
  }

  list(prefix = ""): AsyncIterable<Lease> {
    return listLeases(this.#conn, this.#keys, prefix, (id, until) =>
      timeLeft(this.#conn, id, until),
    );
  }

  /** One delete of the resource's keys, whoever holds it; or, given an id, exactly `release`. */
  async forceRelease(resource: string, onlyLeaseId?: string): Promise<boolean> {
    if (onlyLeaseId !== undefined) return this.release(resource, onlyLeaseId);
    const conn = this.#conn;
    const until = conn.deadline();
    const request = { ...this.#keys.resourceRange(resource), prev_kv: true };
    const res = await conn.call(
      "force-release",
      (o) => conn.client.kv.deleteRange(request, o),
      until,
    );
    await revokeLeasesOf(conn, res.prev_kvs, until);
    return res.prev_kvs.some((kv) => this.#keys.parse(kv.key)?.part === "d");
  }

  /**
   * Reads the record once, then watches it from that revision for a delete (release or expiry).
   * Closing the backend ends every wait quietly.
   */
  async waitForChange(resource: string, untilMs: number, signal: AbortSignal): Promise<void> {
    try {
      await this.#waitForChange(resource, untilMs, signal);
    } catch (error) {
      if (!this.#closed) throw error;
    }
  }

  async #waitForChange(resource: string, untilMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.#closed) return;
    const range = this.#keys.resourceRange(resource);
    const res = await this.#conn.call("wait", (o) => this.#conn.client.kv.range(range, o));
    const stored = this.#one(resource, res.kvs);
    if (!stored) return;
    // The delete event normally wakes us; the fallback covers a watch that silently stalls.
    const expires = Number.isFinite(stored.expiresMs) ? stored.expiresMs : 0;
    const fallback = Math.max(Date.now(), expires) + EXPIRY_FALLBACK_MS;
    const watch = {
      key: this.#keys.record(resource),
      fromRevision: String(BigInt(res.header.revision) + 1n),
      wakeAtMs: Math.min(untilMs, fallback),
      signal,
    };
    await waitForDelete(this.#conn, watch, this.#waits);
  }

  doctor(): Promise<DoctorCheck[]> {
    return etcdDoctor(this.#conn, this.#conn.scope.name);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const stop of [...this.#waits]) stop();
    this.#conn.close();
  }

  #one(resource: string, kvs: readonly IKeyValue[]): StoredLease | undefined {
    return groupStoredLeases(this.#keys, kvs).find((s) => s.resource === resource);
  }
}
