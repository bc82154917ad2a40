import type { IRangeResponse } from "etcd3";
import type { Lease } from "../../lease/lease.js";
import type { EtcdConnection } from "./connection.js";
import type { KeyLayout } from "./keys.js";
import { groupStoredLeases, toLease } from "./record.js";

/** Keys per page; each resource has three, so a page always makes progress. */
const PAGE_KEYS = 600;
/** Time-to-live lookups in flight at once for one page. */
const TTL_CONCURRENCY = 16;

/**
 * Live leases under a name prefix: one range per page, every page read at the first page's
 * revision so the listing is one consistent snapshot, plus one LeaseTimeToLive per lease so
 * time left (and "already expired") comes from etcd's clock. Each page is bounded by the
 * backend timeout on its own.
 */
export async function* listLeases(
  conn: EtcdConnection,
  keys: KeyLayout,
  prefix: string,
  timeLeft: (etcdLease: string, until: number) => Promise<number | undefined>,
): AsyncIterable<Lease> {
  const { key: start, range_end } = keys.prefixRange(prefix);
  let key = start;
  let revision: string | undefined;
  for (;;) {
    const until = conn.deadline();
    const req = { key, range_end, limit: PAGE_KEYS, ...(revision ? { revision } : {}) };
    const page: IRangeResponse = await conn.call(
      "list",
      (o) => conn.client.kv.range(req, o),
      until,
    );
    revision ??= page.header.revision;
    let stored = groupStoredLeases(keys, page.kvs);
    let next: Buffer | undefined;
    if (page.more) {
      const lastKey = page.kvs.at(-1)!.key;
      const cut = keys.parse(lastKey)?.resource;
      const restart = cut === undefined ? undefined : keys.resourceRange(cut).key;
      if (restart && Buffer.compare(restart, key) > 0) {
        // The page may have cut the last resource's keys short: read it whole with the next page.
        stored = stored.filter((s) => s.resource !== cut);
        next = restart;
      } else {
        next = Buffer.concat([lastKey, Buffer.from([0])]);
      }
    }
    for (let i = 0; i < stored.length; i += TTL_CONCURRENCY) {
      const batch = stored.slice(i, i + TTL_CONCURRENCY);
      const batchUntil = conn.deadline(); // the consumer may be slow between batches
      const left = await Promise.all(batch.map((s) => timeLeft(s.etcdLease, batchUntil)));
      for (const [j, s] of batch.entries()) {
        const ms = left[j];
        if (ms !== undefined) yield toLease(s, ms);
      }
    }
    if (!next) return;
    key = next;
  }
}
