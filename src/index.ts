/**
 * leasehold's library API: time-limited, exclusive leases on named resources.
 * @example
 * import { Leasehold } from "leasehold";
 * const lh = await Leasehold.open();
 * await lh.withLease("prod-db", { ttl: "5m", wait: "2m" }, async (lease, signal) => {
 *   // renewed in the background; `signal` aborts if the lease is lost
 * });
 * await lh.close();
 */

export type {
  AcquireRequest,
  Backend,
  BackendContext,
  BackendModule,
  DoctorCheck,
  OptionSpec,
  OptionValues,
} from "./backends/types.js";
export { formatDuration, parseDuration } from "./config/duration.js";
export { type AcquireOptions, type Duration, Leasehold, type OpenOptions } from "./lease/client.js";
export {
  AbortedError,
  BackendUnavailableError,
  ConfigError,
  InvalidDurationError,
  InvalidResourceError,
  LeaseHeldError,
  LeaseholdError,
  LeaseLostError,
  LeaseNotHeldError,
  UsageError,
} from "./lease/errors.js";
export { type KeeperOptions, LeaseKeeper, type LossReason } from "./lease/keeper.js";
export {
  type Held,
  isHeld,
  type Lease,
  leaseToJson,
  newLeaseId,
  validateResource,
} from "./lease/lease.js";
