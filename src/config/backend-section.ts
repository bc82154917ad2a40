import { dirname } from "node:path";
import type { OptionSpec, OptionValues } from "../backends/types.js";
import { ConfigError } from "../lease/errors.js";
import { parseDuration } from "./duration.js";
import type { ConfigFile, IniSection } from "./ini.js";
import { interpolate } from "./resolve.js";

/** Options every backend accepts, whatever its kind. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  {
    name: "type",
    type: "string",
    description:
      "backend kind (sqlite, redis, postgres, etcd, s3) or a plugin module path/package; defaults to the section's NAME",
  },
  {
    name: "timeout",
    type: "duration",
    description: "upper bound for any one operation",
    default: "10s",
  },
];

/** A `[backend.NAME]` section located but not yet validated. */
export interface BackendSectionRef {
  readonly name: string;
  readonly type: string;
  readonly section: IniSection | undefined;
  /** Folder that plugin paths are relative to. */
  readonly baseDir: string;
}

/** Finds `[backend.NAME]` and its `type` (the NAME itself when `type` is absent). */
export function findBackendSection(
  file: ConfigFile,
  name: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): BackendSectionRef {
  if (name === "")
    throw new ConfigError("backend name is empty", {
      hint: "set backend = sqlite (or another) in the config or --backend",
    });
  const section = file.sections.get(`backend.${name}`);
  const typeEntry = section?.entries.get("type");
  const type = typeEntry ? interpolate(typeEntry, "type", section!, file, env).trim() : name;
  return { name, type, section, baseDir: file.path ? dirname(file.path) : cwd };
}

/**
 * Validates a backend section against its option table: unknown keys, types, `${VAR}`s and
 * environment fallbacks, defaults.
 * @throws ConfigError naming file, line and key.
 */
export function parseBackendOptions(
  ref: BackendSectionRef,
  specs: readonly OptionSpec[],
  file: ConfigFile,
  env: NodeJS.ProcessEnv,
): { options: OptionValues; timeoutMs: number } {
  const all = [...COMMON_OPTIONS, ...specs];
  const out: Record<string, string | number | boolean | string[] | undefined> = {};
  const where = (key: string) => {
    const line = ref.section?.entries.get(key)?.line;
    return line === undefined
      ? `[backend.${ref.name}] ${key}`
      : `${file.path}:${line}: ${key} in [backend.${ref.name}]`;
  };
  for (const [key, entry] of ref.section?.entries ?? []) {
    if (!all.some((s) => s.name === key)) {
      throw new ConfigError(`${where(key)}: unknown key for a ${ref.type} backend`, {
        hint: `known keys: ${all.map((s) => s.name).join(", ")}`,
      });
    }
    void entry;
  }
  for (const spec of all) {
    const entry = ref.section?.entries.get(spec.name);
    let raw = entry ? interpolate(entry, spec.name, ref.section!, file, env) : undefined;
    if (raw === undefined && spec.env) raw = env[spec.env] || undefined;
    if (raw === undefined) raw = spec.default;
    out[spec.name] = raw === undefined ? undefined : convert(spec, raw, where(spec.name));
  }
  const timeoutMs = out.timeout as number;
  return { options: out, timeoutMs };
}

function convert(
  spec: OptionSpec,
  raw: string,
  where: string,
): string | number | boolean | string[] {
  const value = raw.trim();
  switch (spec.type) {
    case "integer": {
      if (!/^-?\d+$/.test(value))
        throw new ConfigError(`${where}: expected a whole number, found ${JSON.stringify(value)}`);
      return Number(value);
    }
    case "boolean": {
      const v = value.toLowerCase();
      if (["true", "yes", "on", "1"].includes(v)) return true;
      if (["false", "no", "off", "0"].includes(v)) return false;
      throw new ConfigError(`${where}: expected true or false, found ${JSON.stringify(value)}`);
    }
    case "duration":
      try {
        return parseDuration(value, spec.name);
      } catch (e) {
        throw new ConfigError(`${where}: ${(e as Error).message}`, {
          hint: (e as ConfigError).hint,
        });
      }
    case "list":
      return value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    default:
      return value;
  }
}

/** One option as `doctor` shows it: value (secrets masked) and where it came from. */
export interface OptionOrigin {
  readonly name: string;
  readonly value: string;
  readonly origin: string;
}

/** Describes every set option of a backend: `file:line`, `$ENV`, or `default`. */
export function describeOptions(
  ref: BackendSectionRef,
  specs: readonly OptionSpec[],
  values: OptionValues,
  file: ConfigFile,
  env: NodeJS.ProcessEnv,
): OptionOrigin[] {
  const out: OptionOrigin[] = [];
  for (const spec of [...COMMON_OPTIONS, ...specs]) {
    const entry = ref.section?.entries.get(spec.name);
    const value = spec.name === "type" ? ref.type : values[spec.name];
    if (value === undefined) continue;
    const origin = entry
      ? `${file.path}:${entry.line}`
      : spec.env && env[spec.env]
        ? `$${spec.env}`
        : spec.name === "type"
          ? "section name"
          : "default";
    const shown = Array.isArray(value)
      ? value.join(",")
      : spec.type === "duration"
        ? `${value} ms`
        : String(value);
    out.push({ name: spec.name, value: spec.secret ? "****" : maskUrlPassword(shown), origin });
  }
  return out;
}

/** `scheme://user:secret@host` → `scheme://user:****@host`. */
export function maskUrlPassword(text: string): string {
  return text.replace(/(\/\/[^/:@\s]*:)[^@\s]*@/g, "$1****@");
}
