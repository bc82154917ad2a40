import {
  castGrpcError,
  FilterType,
  type IDuplexStream,
  type IWatchRequest,
  type IWatchResponse,
} from "etcd3";
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

/** Pause before re-opening a broken stream on another member. */
const REOPEN_PAUSE_MS = 200;

type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

/**
 * Resolves when etcd reports the key deleted at or after `fromRevision`: a release, a
 * force-release, or etcd expiring the lease (the lessor deletes the key, which is an event too),
 * so nothing is polled. Also resolves at `wakeAtMs`, on abort, and when `stops` is told to stop
 * (client closing). A stream that breaks (its member died) is re-opened on another member from
 * the same revision, so no event is lost; after `timeout` without a working stream it gives up.
 * Uses the raw watch stream rather than etcd3's Watcher, whose reconnect timers outlive `close()`.
 * @throws BackendUnavailableError when no member serves the watch within the timeout, or etcd
 * refuses it (auth, permissions).
 */
export function waitForDelete(
  conn: EtcdConnection,
  w: DeleteWatch,
  stops: Set<() => void>,
): Promise<void> {
  if (w.signal.aborted || Date.now() >= w.wakeAtMs) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let done = false;
    let stream: WatchStream | undefined;
    let failingSince: number | undefined;
    let reopen: NodeJS.Timeout | undefined;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(wake);
      clearTimeout(reopen);
      w.signal.removeEventListener("abort", stop);
      stops.delete(stop);
      // Cancelling makes gRPC emit a CANCELLED error; the listener stays and ignores it.
      stream?.cancel();
      if (error) reject(error);
      else resolve();
    };
    const stop = () => finish();
    const broken = (s: WatchStream, raw: Error) => {
      if (done || s !== stream) return;
      const cause = castGrpcError(raw);
      failingSince ??= Date.now();
      if (!isRetryable(cause) || Date.now() - failingSince >= conn.timeoutMs)
        return finish(conn.translate("watch", cause));
      reopen = setTimeout(() => void open(), REOPEN_PAUSE_MS);
    };
    const open = async () => {
      let s: WatchStream;
      try {
        s = await conn.call("watch", () => conn.client.watchClient.watch());
      } catch (error) {
        return finish(error as Error);
      }
      if (done) return s.cancel();
      stream = s;
      s.on("data", (res: IWatchResponse) => {
        if (res.created) failingSince = undefined;
        // A cancelled watch (e.g. compacted history) or any delete event: the caller re-reads.
        if (res.canceled || res.events.length > 0) finish();
      });
      s.on("error", (raw: Error) => broken(s, raw));
      s.on("end", () => broken(s, Object.assign(new Error("watch stream ended"), { code: 14 })));
      s.write({
        create_request: { key: w.key, start_revision: w.fromRevision, filters: [FilterType.Noput] },
      });
    };
    const wake = setTimeout(stop, Math.max(0, w.wakeAtMs - Date.now()));
    w.signal.addEventListener("abort", stop, { once: true });
    stops.add(stop);
    void open();
  });
}
