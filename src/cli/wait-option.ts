import { parseDuration } from "../config/duration.js";

/** `--wait` without a value waits without limit; with one, up to that duration. */
export function waitOption(raw: string | undefined): number | true | undefined {
  if (raw === undefined) return undefined;
  if (raw === "") return true;
  return parseDuration(raw, "--wait");
}

/**
 * `--wait` takes an optional value, so `acquire --wait prod-db` must not read `prod-db` as the
 * duration: a following token that is not a duration is left as a positional argument.
 */
export function normalizeWaitFlag(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return [...out, ...argv.slice(i)];
    if (arg === "--wait" && !isDuration(argv[i + 1])) out.push("--wait=");
    else out.push(arg);
  }
  return out;
}

function isDuration(token: string | undefined): boolean {
  if (token === undefined || token.startsWith("-")) return false;
  try {
    parseDuration(token);
    return true;
  } catch {
    return false;
  }
}
