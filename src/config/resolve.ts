import { hostname, userInfo } from "node:os";
import { ConfigError } from "../lease/errors.js";
import { parseDuration } from "./duration.js";
import type { ConfigFile, IniEntry, IniSection } from "./ini.js";

/** Keys a `[default]` or resource section may set. */
export const RESOURCE_KEYS = ["ttl", "backend", "principal", "renew_every", "kill_grace"] as const;
export type ResourceKey = (typeof RESOURCE_KEYS)[number];

/** Built-in defaults when neither the file nor a flag sets a value. */
export const BUILT_IN_DEFAULTS = { ttl: "1 hour", backend: "sqlite" } as const;

/** Where a resolved value came from, for `doctor`. */
export type Origin = "flag" | "built-in" | `${string}:${number}`;

/** A resource's settings after resource section → [default] → built-ins, flags winning. */
export interface ResolvedResource {
  readonly resource: string;
  readonly ttlMs: number;
  readonly principal: string;
  readonly backend: string;
  readonly renewEveryMs: number | undefined;
  readonly killGraceMs: number | undefined;
  readonly origins: Readonly<Record<ResourceKey, Origin>>;
}

/** Values given on the command line or to the library; they win over the file. */
export interface ResourceOverrides {
  readonly ttl?: string | number | undefined;
  readonly backend?: string | undefined;
  readonly principal?: string | undefined;
}

/** `user@host`, from the login name and the machine's hostname. */
export function defaultPrincipal(env: NodeJS.ProcessEnv = process.env): string {
  let user = env.USER || env.LOGNAME || env.USERNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = "unknown";
    }
  }
  return `${user}@${hostname()}`;
}

/**
 * Resolves one resource's settings.
 * @throws ConfigError naming file, line and key for unknown keys, bad values or unset ${VARS}.
 */
export function resolveResource(
  file: ConfigFile,
  resource: string,
  overrides: ResourceOverrides,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedResource {
  checkKnownKeys(file);
  const own = isResourceSection(resource) ? file.sections.get(resource) : undefined;
  const defaults = defaultSection(file);
  const origins = {} as Record<ResourceKey, Origin>;
  const pick = (key: ResourceKey, flag: string | number | undefined, builtIn?: string) => {
    if (flag !== undefined) {
      origins[key] = "flag";
      return { value: String(flag), where: `--${key}` };
    }
    for (const section of [own, defaults]) {
      const entry = section?.entries.get(key);
      if (entry) {
        origins[key] = `${file.path}:${entry.line}`;
        return {
          value: interpolate(entry, key, section!, file, env),
          where: `${file.path}:${entry.line}: ${key}`,
        };
      }
    }
    origins[key] = "built-in";
    return builtIn === undefined ? undefined : { value: builtIn, where: `built-in ${key}` };
  };
  const ttl = pick(
    "ttl",
    typeof overrides.ttl === "number" ? `${overrides.ttl}ms` : overrides.ttl,
    BUILT_IN_DEFAULTS.ttl,
  )!;
  const backend = pick("backend", overrides.backend, BUILT_IN_DEFAULTS.backend)!;
  const principal = pick("principal", overrides.principal);
  const renewEvery = pick("renew_every", undefined);
  const killGrace = pick("kill_grace", undefined);
  if (principal !== undefined && principal.value.trim() === "") {
    throw new ConfigError(`${principal.where}: principal is empty`);
  }
  return {
    resource,
    ttlMs: durationAt(ttl.value, ttl.where, "ttl"),
    principal: principal?.value ?? defaultPrincipal(env),
    backend: backend.value.trim(),
    renewEveryMs: renewEvery && durationAt(renewEvery.value, renewEvery.where, "renew_every"),
    killGraceMs: killGrace && durationAt(killGrace.value, killGrace.where, "kill_grace"),
    origins,
  };
}

function durationAt(value: string, where: string, what: string): number {
  try {
    return parseDuration(value, what);
  } catch (e) {
    if (where.startsWith("--")) throw e;
    throw new ConfigError(`${where}: ${(e as Error).message}`, { hint: (e as ConfigError).hint });
  }
}

/** `[default]`, or Python configparser's `[DEFAULT]` as stormlock files spell it. */
export function defaultSection(file: ConfigFile): IniSection | undefined {
  return file.sections.get("default") ?? file.sections.get("DEFAULT");
}

function isResourceSection(name: string): boolean {
  return name !== "" && name !== "default" && name !== "DEFAULT" && !name.startsWith("backend.");
}

function checkKnownKeys(file: ConfigFile): void {
  for (const section of file.sections.values()) {
    if (
      !isResourceSection(section.name) &&
      section.name !== "default" &&
      section.name !== "DEFAULT"
    )
      continue;
    for (const [key, entry] of section.entries) {
      if (!(RESOURCE_KEYS as readonly string[]).includes(key)) {
        const label = section.name === "" ? "the top of the file" : `[${section.name}]`;
        throw new ConfigError(`${file.path}:${entry.line}: unknown key "${key}" in ${label}`, {
          hint: `resource and [default] sections accept ${RESOURCE_KEYS.join(", ")}; backend settings go in [backend.NAME]`,
        });
      }
    }
  }
}

/**
 * Replaces `${VAR}` with the environment's value; `$${` escapes nothing: a literal `$` stays.
 * @throws ConfigError naming file, line and key when VAR is unset.
 */
export function interpolate(
  entry: IniEntry,
  key: string,
  section: IniSection,
  file: ConfigFile,
  env: NodeJS.ProcessEnv,
): string {
  return entry.value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const value = env[name];
    if (value === undefined) {
      throw new ConfigError(
        `${file.path}:${entry.line}: key "${key}" in [${section.name}] uses \${${name}}, which is not set in the environment`,
        { hint: `export ${name}=... or change the value` },
      );
    }
    return value;
  });
}
