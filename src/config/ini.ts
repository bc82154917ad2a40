import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { decode } from "ini";
import { ConfigError } from "../lease/errors.js";
import { warnIfSecretsExposed } from "./permissions.js";

/** One `key = value` with the line it came from, for error messages. */
export interface IniEntry {
  readonly value: string;
  readonly line: number;
}

/** One `[section]`. */
export interface IniSection {
  readonly name: string;
  readonly line: number;
  readonly entries: ReadonlyMap<string, IniEntry>;
}

/** A parsed config file; `path` is undefined when no file was found (defaults apply). */
export interface ConfigFile {
  readonly path: string | undefined;
  readonly sections: ReadonlyMap<string, IniSection>;
}

/** Where to look; injectable so tests need not touch the real home directory. */
export interface LookupEnv {
  readonly explicitPath?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly home?: string;
}

/**
 * Finds the config file, first found wins: `--config`, `$LEASEHOLD_CONFIG`, `./.leasehold.ini`,
 * `$XDG_CONFIG_HOME/leasehold/config.ini`, `~/.leasehold.ini`. An explicitly named file that
 * cannot be read is an error; a missing default file is not.
 * @throws ConfigError naming the file, and the line for INI syntax errors.
 */
export function loadConfigFile(where: LookupEnv): ConfigFile {
  const explicit = where.explicitPath ?? (where.env.LEASEHOLD_CONFIG || undefined);
  if (explicit !== undefined) return checked(parseConfigFile(explicit, readExplicit(explicit)));
  const home = where.home ?? where.env.HOME ?? homedir();
  const xdg = where.env.XDG_CONFIG_HOME || join(home, ".config");
  for (const candidate of [
    join(where.cwd, ".leasehold.ini"),
    join(xdg, "leasehold", "config.ini"),
    join(home, ".leasehold.ini"),
  ]) {
    const text = readIfPresent(candidate);
    if (text !== undefined) return checked(parseConfigFile(candidate, text));
  }
  return { path: undefined, sections: new Map() };
}

/** Warns (stderr, once) when the file holds credentials and others can read it. */
function checked(file: ConfigFile): ConfigFile {
  warnIfSecretsExposed(file);
  return file;
}

function readExplicit(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    const why =
      (cause as NodeJS.ErrnoException).code === "ENOENT"
        ? "no such file"
        : (cause as Error).message;
    throw new ConfigError(`cannot read config file ${path}: ${why}`, {
      cause,
      hint: "check --config or $LEASEHOLD_CONFIG",
    });
  }
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new ConfigError(`cannot read config file ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/**
 * Parses INI text with the `ini` package, then recovers line numbers by a plain scan so every
 * later error can say `file:line`. Section headers are normalised first: `ini` would nest
 * `[backend.redis]` as {backend:{redis:{}}} and read `[db] ; note` as a key.
 */
export function parseConfigFile(path: string, text: string): ConfigFile {
  const lines = scanLines(path, text);
  const decoded = decode(normaliseHeaders(text)) as Record<string, unknown>;
  const sections = new Map<string, IniSection>();
  const top: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(decoded)) {
    if (values !== null && typeof values === "object" && !Array.isArray(values)) {
      sections.set(name, toSection(path, name, values as Record<string, unknown>, lines.get(name)));
    } else top[name] = values;
  }
  if (Object.keys(top).length > 0) sections.set("", toSection(path, "", top, lines.get("")));
  return { path, sections };
}

function normaliseHeaders(text: string): string {
  return text.replace(
    /^(\s*)\[(.*)\]\s*(?:[;#].*)?$/gm,
    (_m, indent: string, name: string) => `${indent}[${name.trim().replace(/(?<!\\)\./g, "\\.")}]`,
  );
}

function toSection(
  path: string,
  name: string,
  values: Record<string, unknown>,
  scanned: ScannedSection | undefined,
): IniSection {
  const entries = new Map<string, IniEntry>();
  for (const [key, value] of Object.entries(values)) {
    const line = scanned?.keys.get(key) ?? scanned?.keys.get(`${key}[]`) ?? scanned?.line ?? 0;
    if (typeof value === "object" && value !== null) {
      throw new ConfigError(`${path}:${line}: key "${key}" in [${name}] is given as a list`, {
        hint: "write the value once, without []",
      });
    }
    entries.set(key, { value: value === true ? "true" : String(value), line });
  }
  return { name, line: scanned?.line ?? 0, entries };
}

interface ScannedSection {
  line: number;
  keys: Map<string, number>;
}

function scanLines(path: string, text: string): Map<string, ScannedSection> {
  const out = new Map<string, ScannedSection>();
  let current: ScannedSection = { line: 0, keys: new Map() };
  out.set("", current);
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) return;
    const header = /^\[(.*)\]\s*(?:[;#].*)?$/.exec(line);
    if (header) {
      const name = header[1]!.trim().replace(/\\\./g, ".");
      current = out.get(name) ?? { line: i + 1, keys: new Map() };
      out.set(name, current);
      return;
    }
    if (line.startsWith("[")) {
      throw new ConfigError(`${path}:${i + 1}: malformed section header ${JSON.stringify(line)}`, {
        hint: "a section header looks like [name]",
      });
    }
    const eq = line.indexOf("=");
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (eq < 0) {
      throw new ConfigError(
        `${path}:${i + 1}: expected "key = value", found ${JSON.stringify(line.slice(0, 60))}`,
      );
    }
    current.keys.set(key, i + 1);
  });
  return out;
}
