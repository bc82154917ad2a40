import { createRequire } from "node:module";

/**
 * Where better-sqlite3's compiled addon is, so better-sqlite3 need not search for it: the CLI
 * bundle carries better-sqlite3's JavaScript but not the addon, and the search would look next to
 * the bundle. Undefined (better-sqlite3 searches itself) if it was built somewhere unusual.
 */
export function nativeAddonPath(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(
      "better-sqlite3/build/Release/better_sqlite3.node",
    );
  } catch {
    return undefined;
  }
}
