import { acquire } from "./commands/acquire.js";
import { current } from "./commands/current.js";
import { isHeld } from "./commands/is-held.js";
import { release } from "./commands/release.js";
import { renew } from "./commands/renew.js";
import type { Runner } from "./execute.js";

type Parsed = Record<string, unknown>;

/**
 * Parsed flags → the command's body. Used by both the yargs parser and the fast path, so a command
 * behaves the same either way. The five everyday commands are small and loaded with this module
 * (each extra module is another file to read at start-up); the rest load only when they run.
 */
export const RUNNERS: Readonly<Record<string, (a: Parsed) => Runner>> = {
  acquire: (a) => (ctx) => acquire(a as never, ctx),
  release: (a) => (ctx) => release(a as never, ctx),
  renew: (a) => (ctx) => renew(a as never, ctx),
  current: (a) => (ctx) => current(a as never, ctx),
  "is-held": (a) => (ctx) => isHeld(a as never, ctx),
  wait: (a) => async (ctx) => (await import("./commands/wait.js")).wait(a as never, ctx),
  list: (a) => async (ctx) => (await import("./commands/list.js")).list(a as never, ctx),
  "force-release": (a) => async (ctx) =>
    (await import("./commands/force-release.js")).forceRelease(a as never, ctx),
  doctor: (a) => async (ctx) => (await import("./commands/doctor.js")).doctor(a as never, ctx),
};
