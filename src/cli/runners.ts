import type { Runner } from "./execute.js";

type Parsed = Record<string, unknown>;

/**
 * Parsed flags → the command's body, importing the command module only when it runs. Used by
 * both the yargs parser and the fast path, so a command behaves the same either way.
 */
export const RUNNERS: Readonly<Record<string, (a: Parsed) => Runner>> = {
  acquire: (a) => async (ctx) => (await import("./commands/acquire.js")).acquire(a as never, ctx),
  release: (a) => async (ctx) => (await import("./commands/release.js")).release(a as never, ctx),
  renew: (a) => async (ctx) => (await import("./commands/renew.js")).renew(a as never, ctx),
  current: (a) => async (ctx) => (await import("./commands/current.js")).current(a as never, ctx),
  "is-held": (a) => async (ctx) => (await import("./commands/is-held.js")).isHeld(a as never, ctx),
  wait: (a) => async (ctx) => (await import("./commands/wait.js")).wait(a as never, ctx),
  list: (a) => async (ctx) => (await import("./commands/list.js")).list(a as never, ctx),
  "force-release": (a) => async (ctx) =>
    (await import("./commands/force-release.js")).forceRelease(a as never, ctx),
  doctor: (a) => async (ctx) => (await import("./commands/doctor.js")).doctor(a as never, ctx),
};
