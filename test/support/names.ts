import { randomBytes } from "node:crypto";

/** A resource name no other test (or earlier run against the same server) uses. */
export function uniqueName(label: string): string {
  return `t-${label}-${randomBytes(6).toString("hex")}`;
}
