import { existsSync } from "node:fs";
// Aliased: fronts bundle this file, and a common esbuild banner declares `createRequire` (core/src/guards).
import { createRequire as requireFrom } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Where better-sqlite3's native addon is: build/Release in its package, where its install (a prebuilt download or a
// local build) puts it. Every connection names it instead of letting better-sqlite3 look for it through the
// `bindings` package, which tries a dozen candidate paths on each process start and, run from a bundle (the CLI's),
// starts its search from the bundle's folder and finds nothing.

const RELEASE = "build/Release/better_sqlite3.node";
let addon: string | null | undefined;

/** The addon's file, resolved once per process; undefined where it is not in the usual place (a debug build). */
export function betterSqlite3Addon(): string | undefined {
  if (addon === undefined) {
    let file: string | null = null;
    // A bundle (the CLI's dist/) first looks beside its own folder, where the workspace and `npm install -g` put the
    // package: no resolution, which reads package.json files. From the sources that guess misses and costs one stat.
    const beside = fileURLToPath(new URL(`../node_modules/better-sqlite3/${RELEASE}`, import.meta.url));
    if (existsSync(beside)) {
      addon = beside;
      return addon;
    }
    try {
      // import.meta.url: this module's own file, or in a bundle the bundle's, beside which the package is installed.
      const pkg = requireFrom(import.meta.url).resolve("better-sqlite3/package.json");
      file = join(dirname(pkg), RELEASE);
      if (!existsSync(file)) file = null;
    } catch {
      file = null;
    }
    addon = file;
  }
  return addon ?? undefined;
}

/** better-sqlite3's constructor options with the addon named (when found). */
export function withAddon<T extends object>(options: T): T & { nativeBinding?: string } {
  const file = betterSqlite3Addon();
  return file === undefined ? options : { ...options, nativeBinding: file };
}
