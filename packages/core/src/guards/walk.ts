import { type Dirent, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Test support for the guards in this folder: each reads the workspace's sources to hold a rule to one home, and
// each used to carry its own copy of this walker with its own idea of what to skip.

/** The workspace root (this file is packages/core/src/guards/walk.ts). */
export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

export interface WalkOptions {
  /** Folder names never entered (node_modules always). */
  skipDirs?: readonly string[];
  /** File names taken. */
  include: RegExp;
  /** File names left out even when included. */
  exclude?: RegExp;
}

/** Every file under `dir` the options take; a missing `dir` is empty. */
export function walkFiles(dir: string, options: WalkOptions): string[] {
  const skip = new Set(["node_modules", ...(options.skipDirs ?? [])]);
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return skip.has(e.name) ? [] : walkFiles(path, options);
    return options.include.test(e.name) && !options.exclude?.test(e.name) ? [path] : [];
  });
}

/** The module sources (tests and test support aside) of every `apps/*` and `packages/*`, by absolute path. */
export function moduleSources(options: Omit<WalkOptions, "include"> & { include?: RegExp } = {}): string[] {
  const walk: WalkOptions = {
    include: options.include ?? /\.tsx?$/,
    exclude: options.exclude ?? /\.test\.tsx?$|contract\.ts$|\.generated\.ts$|test-keys\.ts$/,
    skipDirs: options.skipDirs ?? ["dist", "vendor", "testing", "test", "tests", "fixtures"],
  };
  return ["apps", "packages"].flatMap((top) =>
    readdirSync(join(ROOT, top)).flatMap((p) => walkFiles(join(ROOT, top, p, "src"), walk)),
  );
}
