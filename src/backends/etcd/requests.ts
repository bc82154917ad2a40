import {
  CompareResult,
  CompareTarget,
  type ICompare,
  type IRequestOp,
  type ITxnRequest,
} from "etcd3";
import type { KeyLayout } from "./keys.js";
import { encodeRecord, type StoredRecord } from "./record.js";

/**
 * The etcd transactions behind each operation, as plain request objects. Each is one atomic
 * step on the server; comments say why each compare and op is there.
 */

/** Take the resource if free; otherwise read the holder in the same round trip. */
export function acquireTxn(
  k: KeyLayout,
  resource: string,
  etcdLease: string,
  expiresMs: number,
  record: StoredRecord,
): ITxnRequest {
  return {
    // Free means the record key does not exist: never used, released, or deleted by etcd at expiry.
    compare: [
      {
        key: k.record(resource),
        target: CompareTarget.Create,
        result: CompareResult.Equal,
        create_revision: 0,
      },
    ],
    success: puts(k, resource, etcdLease, expiresMs, record.id, encodeRecord(record)),
    // Held: fetch the holder's keys so the caller learns who holds it without another request.
    failure: [{ request_range: k.resourceRange(resource) }],
  };
}

/** Delete the resource's keys if `leaseId` holds it; prev_kv tells which etcd lease to revoke. */
export function releaseTxn(k: KeyLayout, resource: string, leaseId: string): ITxnRequest {
  return {
    compare: [idIs(k, resource, leaseId)],
    success: [{ request_delete_range: { ...k.resourceRange(resource), prev_kv: true } }],
  };
}

/**
 * Move the keys to `etcdLease` if `leaseId` holds the resource. The record keeps its value and
 * create revision (ignore_value), so the fence is unchanged; its prev_kv names the old etcd lease.
 */
export function renewTxn(
  k: KeyLayout,
  resource: string,
  leaseId: string,
  etcdLease: string,
  expiresMs: number,
): ITxnRequest {
  return {
    compare: [idIs(k, resource, leaseId)],
    success: puts(k, resource, etcdLease, expiresMs, leaseId),
  };
}

/** The three keys on etcd lease `etcdLease`; without `record`, the record keeps its own value. */
function puts(
  k: KeyLayout,
  resource: string,
  etcdLease: string,
  expiresMs: number,
  id: string,
  record?: Buffer,
): IRequestOp[] {
  const recordPut = record
    ? { key: k.record(resource), value: record, lease: etcdLease }
    : { key: k.record(resource), ignore_value: true, lease: etcdLease, prev_kv: true };
  return [
    { request_put: recordPut },
    { request_put: { key: k.id(resource), value: Buffer.from(id, "utf8"), lease: etcdLease } },
    {
      request_put: {
        key: k.expiry(resource),
        value: Buffer.from(String(expiresMs)),
        lease: etcdLease,
      },
    },
  ];
}

/** "This resource's id key holds exactly `leaseId`"; false when the key is absent. */
function idIs(k: KeyLayout, resource: string, leaseId: string): ICompare {
  return {
    key: k.id(resource),
    target: CompareTarget.Value,
    result: CompareResult.Equal,
    value: Buffer.from(leaseId, "utf8"),
  };
}
