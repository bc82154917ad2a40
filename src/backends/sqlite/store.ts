import { chmodSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { BackendUnavailableError } from "../../lease/errors.js";
import { nativeAddonPath } from "./native-addon.js";

/** The schema: one row per resource ever used; `id IS NULL` once released, so the fence lives on. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS leases (
  resource   TEXT PRIMARY KEY NOT NULL,
  id         TEXT,
  principal  TEXT,
  reason     TEXT,
  created_ms INTEGER,
  expires_ms INTEGER,
  fence      INTEGER NOT NULL
) WITHOUT ROWID`;

/** Opens (creating if needed) the lease database, safe for many processes at once. */
export function openDatabase(path: string, timeoutMs: number): Database.Database {
  try {
    ensureDirectory(dirname(path));
    const nativeBinding = nativeAddonPath();
    const db = new Database(path, { timeout: timeoutMs, ...(nativeBinding && { nativeBinding }) });
    // WAL lets readers (is-held, current) proceed while a writer holds the lock.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec(SCHEMA);
    try {
      chmodSync(path, 0o600);
    } catch {
      // Not ours to change (a shared path); the directory's permissions still apply.
    }
    return db;
  } catch (cause) {
    throw translateSqliteError(path, cause);
  }
}

/**
 * `mkdir -p` by hand: Node's recursive mkdirSync spins forever on some paths (under /proc it
 * keeps getting ENOENT for a parent that exists), and a CLI must fail, not hang.
 */
function ensureDirectory(dir: string, depth = 0): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    if (code !== "ENOENT" || depth > 64 || dirname(dir) === dir) throw e;
    ensureDirectory(dirname(dir), depth + 1);
    mkdirSync(dir, { mode: 0o700 });
  }
}

/** The one place SQLite errors become leasehold errors: busy/locked/IO are "unavailable". */
export function translateSqliteError(path: string, cause: unknown): Error {
  const code = (cause as { code?: string }).code ?? "";
  const message = (cause as Error).message ?? String(cause);
  const hint = code.startsWith("SQLITE_BUSY")
    ? "another process held the database lock past the timeout; retry, or raise timeout in [backend.sqlite]"
    : `check that ${path} is writable, or set path in [backend.sqlite]`;
  return new BackendUnavailableError(`sqlite backend (${path}): ${message}`, { cause, hint });
}
