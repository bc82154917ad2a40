import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../lease/errors.js";
import type { BackendModule } from "./types.js";

/**
 * Built-in backend kinds. Each is imported only when used, so `is-held` on sqlite never pays
 * for the AWS SDK or etcd3 at start-up.
 */
const BUILT_IN: Readonly<Record<string, () => Promise<BackendModule>>> = {
  sqlite: () => import("./sqlite/index.js"),
  postgres: () => import("./postgres/index.js"),
  redis: () => import("./redis/index.js"),
  etcd: () => import("./etcd/index.js"),
  s3: () => import("./s3/index.js"),
  dynamodb: () => import("./dynamodb/index.js"),
};

/** Other spellings users bring from stormlock and habit. */
const ALIASES: Readonly<Record<string, string>> = {
  postgresql: "postgres",
  pg: "postgres",
  etcd3: "etcd",
  sqlite3: "sqlite",
};

/** The built-in kinds, for messages and completion. */
export const BUILT_IN_KINDS: readonly string[] = Object.keys(BUILT_IN);

/** Maps a `type =` value to its canonical built-in kind, or undefined for plugins. */
export function canonicalKind(kind: string): string | undefined {
  const k = kind.toLowerCase();
  const name = ALIASES[k] ?? k;
  return name in BUILT_IN ? name : undefined;
}

/** True when `type` names a plugin module rather than a built-in kind. */
export function isPluginReference(type: string): boolean {
  return type.startsWith(".") || type.startsWith("/") || type.includes("/") || type.startsWith("@");
}

/**
 * Loads the module for a backend kind: a built-in name, a path (`./my-backend.js`, resolved from
 * `baseDir`, the config file's folder) or an installed package name.
 * @throws ConfigError for an unknown kind or a module without `create`.
 */
export async function loadBackendModule(type: string, baseDir: string): Promise<BackendModule> {
  const kind = canonicalKind(type);
  if (kind !== undefined) return BUILT_IN[kind]!();
  if (!isPluginReference(type)) {
    throw new ConfigError(`unknown backend type "${type}"`, {
      hint: `known backends: ${BUILT_IN_KINDS.join(", ")}; or name a plugin module by path (./my-backend.js) or package (@scope/pkg)`,
    });
  }
  const specifier =
    type.startsWith(".") || isAbsolute(type) ? pathToFileURL(resolve(baseDir, type)).href : type;
  let mod: Partial<BackendModule> & { default?: Partial<BackendModule> };
  try {
    mod = await import(specifier);
  } catch (cause) {
    throw new ConfigError(`cannot load backend plugin "${type}": ${(cause as Error).message}`, {
      cause,
      hint: "check the path (relative to the config file) or install the package",
    });
  }
  const plugin = typeof mod.create === "function" ? mod : mod.default;
  if (!plugin || typeof plugin.create !== "function") {
    throw new ConfigError(`backend plugin "${type}" does not export create(ctx)`, {
      hint: "a plugin exports `options` (OptionSpec[]) and `create(ctx): Promise<Backend>`",
    });
  }
  return { options: plugin.options ?? [], create: plugin.create };
}
