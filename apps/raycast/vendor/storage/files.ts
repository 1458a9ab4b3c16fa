// Vendored from packages/storage/src/files.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname, relative, sep } from "node:path";

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** Creates the store's directory (and missing parents) as 0700; leaves existing directories alone. */
export function ensureDirectory(file: string): void {
  const dir = dirname(file);
  const first = mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (first === undefined) return;
  // mkdir's mode is filtered by the umask; set it exactly on every directory we created.
  let current = first;
  chmodSync(current, DIR_MODE);
  for (const part of relative(first, dir).split(sep).filter(Boolean)) {
    current = `${current}${sep}${part}`;
    chmodSync(current, DIR_MODE);
  }
}

/**
 * Creates the database file as 0600 before SQLite sees it: SQLite gives -wal and -shm the main file's mode,
 * so all three end up 0600 without touching the process umask.
 */
export function ensureDatabaseFile(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, "wx", FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return;
    throw err;
  }
  try {
    chmodSync(file, FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

/** Tightens an existing store's files (from an older version or a loose umask). Best effort. */
export function tightenModes(file: string): void {
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      chmodSync(path, FILE_MODE);
    } catch {
      // Missing -wal/-shm, or a file we do not own: nothing to do.
    }
  }
}
