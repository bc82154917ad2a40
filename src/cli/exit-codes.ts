import {
  AbortedError,
  BackendUnavailableError,
  LeaseHeldError,
  LeaseNotHeldError,
  UsageError,
} from "../lease/errors.js";

/** Exit statuses, the same for every command and backend (DESIGN.md). */
export const ExitCode = {
  ok: 0,
  no: 1,
  usage: 2,
  backend: 3,
  internal: 70,
  interrupted: 130,
} as const;

/** The one error → exit status table. Anything not listed is a bug: 70. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return ExitCode.usage;
  if (error instanceof LeaseHeldError || error instanceof LeaseNotHeldError) return ExitCode.no;
  if (error instanceof BackendUnavailableError) return ExitCode.backend;
  if (error instanceof AbortedError) return ExitCode.interrupted;
  return ExitCode.internal;
}
