import { Cluster, type Redis } from "ioredis";

/** Keys per SCAN step: large enough to keep round trips few, small enough not to stall Redis. */
const SCAN_COUNT = 500;

/**
 * Yields batches of keys matching `pattern` with SCAN (never KEYS, which blocks the server).
 * In Cluster mode every primary holds a share of the keys, so each one is scanned in turn.
 * `run` bounds and translates each step.
 */
export async function* scanLeaseKeys(
  client: Redis | Cluster,
  pattern: string,
  run: <T>(work: () => Promise<T>) => Promise<T>,
): AsyncGenerator<string[]> {
  const nodes = client instanceof Cluster ? await run(async () => primaries(client)) : [client];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await run(() =>
        node.scan(cursor, "MATCH", pattern, "COUNT", SCAN_COUNT),
      );
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== "0");
  }
}

/**
 * The cluster's primaries. Until the client is ready its node list may be empty or partial, and
 * scanning that would silently miss leases: a PING waits for readiness (and the slot map) first.
 */
async function primaries(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status !== "ready") await cluster.ping();
  const nodes = cluster.nodes("master");
  if (nodes.length === 0)
    throw new Error("Failed to refresh slots: the cluster reported no primaries");
  return nodes;
}
