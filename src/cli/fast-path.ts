import type { GlobalArgs } from "./context.js";

/** A command line the fast path understood completely. */
export interface FastParse {
  readonly command: string;
  readonly args: Record<string, unknown>;
  readonly global: GlobalArgs;
}

/** Per command: positional names, flags taking a value, boolean flags. */
const SHAPES: Readonly<
  Record<string, { positionals: string[]; values: string[]; booleans: string[] }>
> = {
  "is-held": { positionals: ["resource", "leaseId"], values: [], booleans: [] },
  release: { positionals: ["resource", "leaseId"], values: [], booleans: [] },
  renew: { positionals: ["resource", "leaseId"], values: ["ttl"], booleans: ["json"] },
  current: { positionals: ["resource"], values: [], booleans: ["json", "id-only"] },
  acquire: {
    positionals: ["resource"],
    values: ["ttl", "principal", "reason", "wait"],
    booleans: ["json"],
  },
};

const GLOBAL_VALUES: Readonly<Record<string, keyof GlobalArgs>> = {
  "-c": "config",
  "--config": "config",
  "--backend": "backend",
};

/**
 * Parses the everyday command lines (`is-held R ID`, `acquire R --ttl 5m`, …) without loading
 * yargs, which costs more than the rest of a call together. Words after `--` are positional
 * (a resource may start with "-"). Anything unusual (help, version, unknown or repeated flags,
 * a wrong number of arguments) returns undefined, and the full parser handles it with its
 * messages. `argv` must already have `--wait` normalised.
 */
export function parseFast(argv: readonly string[]): FastParse | undefined {
  const global: Record<string, unknown> = {};
  const args: Record<string, unknown> = {};
  const positionals: string[] = [];
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") {
      if (command === undefined) return undefined;
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const eq = token.startsWith("--") ? token.indexOf("=") : -1;
    const flag = eq > 0 ? token.slice(0, eq) : token;
    const inline = eq > 0 ? token.slice(eq + 1) : undefined;
    const next = () => (inline !== undefined ? inline : argv[++i]);
    if (flag in GLOBAL_VALUES) {
      const key = GLOBAL_VALUES[flag]!;
      const value = next();
      if (value === undefined || key in global) return undefined;
      global[key] = value;
    } else if (flag === "-q" || flag === "--quiet") {
      if (inline !== undefined) return undefined;
      global.quiet = true;
    } else if (flag.startsWith("-")) {
      const shape = command === undefined ? undefined : SHAPES[command];
      const name = flag.slice(2);
      if (!shape || !flag.startsWith("--")) return undefined;
      const key = camel(name);
      if (key in args) return undefined;
      if (shape.values.includes(name)) {
        const value = next();
        if (value === undefined) return undefined;
        args[key] = value;
      } else if (shape.booleans.includes(name) && inline === undefined) {
        args[key] = true;
      } else return undefined;
    } else if (command === undefined) {
      if (!(token in SHAPES)) return undefined;
      command = token;
    } else positionals.push(token);
  }
  if (command === undefined) return undefined;
  const shape = SHAPES[command]!;
  if (positionals.length !== shape.positionals.length) return undefined;
  shape.positionals.forEach((name, i) => {
    args[name] = positionals[i];
  });
  return { command, args, global: global as GlobalArgs };
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}
