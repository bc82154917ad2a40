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
      const [next, keys] = await run(() => node.scan(cursor, "MATCH", pattern, "COUNT", SCAN_COUNT));
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== "0");
  }
}

/** The cluster's primaries, connecting first if needed so the slot map is known. */
async function primaries(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status === "wait") await cluster.connect();
  return cluster.nodes("master");
}
