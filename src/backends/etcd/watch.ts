import { castGrpcError, FilterType, type IWatchResponse } from "etcd3";
import type { EtcdConnection } from "./connection.js";
import { isRetryable } from "./errors.js";

/** What to watch and until when. */
export interface DeleteWatch {
  /** The record key whose deletion (release, force-release, expiry) frees the resource. */
  readonly key: Buffer;
  /** First revision to report: one past the revision the caller read the key at. */
  readonly fromRevision: string;
  /** Epoch ms (caller's clock) to give up and resolve anyway: the wait deadline or a fallback. */
  readonly wakeAtMs: number;
  readonly signal: AbortSignal;
}

/** Pause before resolving after a broken stream, so a failing watch cannot spin its caller. */
const BROKEN_STREAM_PAUSE_MS = 500;

/**
 * Resolves when etcd reports the key deleted at or after `fromRevision`: a release, a
 * force-release, or etcd expiring the lease (the lessor deletes the key, which is an event too),
 * so nothing is polled. Also resolves at `wakeAtMs`, on abort, when `stops` is told to stop
 * (client closing), and after a short pause when the stream breaks on a member that went away
 * (the caller's next acquire then finds out whether the cluster is reachable). Uses the raw
 * watch stream rather than etcd3's Watcher, whose reconnect timers would outlive `close()`.
 * @throws BackendUnavailableError when etcd refuses the watch itself (auth, permissions).
 */
export async function waitForDelete(conn: EtcdConnection, w: DeleteWatch, stops: Set<() => void>): Promise<void> {
  if (w.signal.aborted || Date.now() >= w.wakeAtMs) return;
  const stream = await conn.call("watch", () => conn.client.watchClient.watch());
  return new Promise<void>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      w.signal.removeEventListener("abort", stop);
      stops.delete(stop);
      // Cancelling makes gRPC emit a CANCELLED error; the listener stays and ignores it.
      stream.cancel();
      if (error) reject(error);
      else resolve();
    };
    const stop = () => finish();
    const broken = (raw: Error) => {
      if (done) return;
      const cause = castGrpcError(raw);
      if (!isRetryable(cause)) return finish(conn.translate("watch", cause));
      clearTimeout(timer);
      timer = setTimeout(stop, Math.min(BROKEN_STREAM_PAUSE_MS, Math.max(0, w.wakeAtMs - Date.now())));
    };
    stream.on("data", (res: IWatchResponse) => {
      // A cancelled watch (e.g. compacted history) or any delete event: the caller re-reads.
      if (res.canceled || res.events.length > 0) finish();
    });
    stream.on("error", (cause: Error) => broken(cause));
    stream.on("end", () => broken(Object.assign(new Error("watch stream ended"), { code: 14 })));
    timer = setTimeout(stop, Math.max(0, w.wakeAtMs - Date.now()));
    w.signal.addEventListener("abort", stop, { once: true });
    stops.add(stop);
    stream.write({ create_request: { key: w.key, start_revision: w.fromRevision, filters: [FilterType.Noput] } });
  });
}
