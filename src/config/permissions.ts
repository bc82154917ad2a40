import { statSync } from "node:fs";
import type { ConfigFile } from "./ini.js";

/** Keys whose values are credentials (`password`, `secret_access_key`, `session_token`, …). */
const SECRET_KEY = /(^|_)(password|passwd|secret|secret_access_key|session_token|token|api_key)$/i;
/** `scheme://user:PASSWORD@host`: the password part of a URL. */
const URL_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:([^\s/@]+)@/i;
/** A value made only of `${VAR}` references keeps the secret in the environment, not the file. */
const ONLY_REFERENCES = /^(\s*\$\{[^}]*\}\s*)+$/;

/** Where a literal credential sits in a config file (never its value). */
export interface SecretLocation {
  readonly section: string;
  readonly key: string;
  readonly line: number;
}

/** Credentials written into the file itself, as opposed to `${VAR}` references. */
export function literalSecrets(file: ConfigFile): SecretLocation[] {
  const found: SecretLocation[] = [];
  for (const section of file.sections.values()) {
    for (const [key, entry] of section.entries) {
      const value = entry.value.trim();
      const fromKey = SECRET_KEY.test(key) && value !== "" && !ONLY_REFERENCES.test(value);
      const inUrl = URL_PASSWORD.exec(value)?.[1];
      const fromUrl = inUrl !== undefined && !ONLY_REFERENCES.test(inUrl);
      if (fromKey || fromUrl) found.push({ section: section.name, key, line: entry.line });
    }
  }
  return found;
}

/**
 * The warning for a config file that holds credentials and can be read by its group or by
 * everyone; undefined when there is nothing to say. Names lines and keys, never values.
 * `mode` is the file's permission bits (read from disk when omitted).
 */
export function exposedSecretsWarning(file: ConfigFile, mode?: number): string | undefined {
  if (file.path === undefined || process.platform === "win32") return undefined;
  const secrets = literalSecrets(file);
  if (secrets.length === 0) return undefined;
  let bits = mode;
  if (bits === undefined) {
    try {
      bits = statSync(file.path).mode;
    } catch {
      return undefined; // It was just read; if it is gone now, there is nothing to protect.
    }
  }
  if ((bits & 0o044) === 0) return undefined;
  const where = secrets.map((s) => `${s.key} on line ${s.line}`).join(", ");
  const octal = (bits & 0o777).toString(8).padStart(4, "0");
  return (
    `warning: ${file.path} holds credentials (${where}) and is readable by ${bits & 0o004 ? "everyone" : "its group"} (mode ${octal}); ` +
    `run chmod 600 ${file.path}, or move them to the environment with \${VAR}`
  );
}

const warned = new Set<string>();

/**
 * Writes `exposedSecretsWarning` to stderr, once per file per process (the library may open
 * the same file many times). Never throws: a warning must not break a command.
 */
export function warnIfSecretsExposed(
  file: ConfigFile,
  write: (line: string) => void = (line) => process.stderr.write(line),
): void {
  if (file.path === undefined || warned.has(file.path)) return;
  try {
    const message = exposedSecretsWarning(file);
    if (message === undefined) return;
    warned.add(file.path);
    write(`leasehold: ${message}\n`);
  } catch {
    // Best effort only.
  }
}
