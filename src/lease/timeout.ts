import { BackendUnavailableError } from "./errors.js";

/**
 * Bounds one backend call: a safety net under each backend's own timeouts, so that no command
 * hangs on a frozen server. The late result, if any, is ignored.
 * @throws BackendUnavailableError after `ms`.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new BackendUnavailableError(`${what} timed out after ${ms} ms`, {
            hint: "check that the backend is up and reachable, or raise timeout in its [backend.NAME] section",
          }),
        ),
      ms,
    );
    timer.unref();
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
