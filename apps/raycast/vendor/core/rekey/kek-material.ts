// Vendored from packages/core/src/rekey/kek-material.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { closeSync, existsSync, fsyncSync, openSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { keyFilePath } from "../kek/index.ts";

// The key file, the one master key that lives outside the database at a fixed place, and what re-keying does to it.

/** Makes a freshly written key file durable before the store starts depending on it (power loss, not just a crash). */
export function syncKeyFile(dataDir: string): void {
  const path = keyFilePath(dataDir);
  for (const target of [path, dirname(path)]) {
    const fd = openSync(target, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** Removes the key file; true when there was one. */
export function removeKeyFileIfPresent(dataDir: string): boolean {
  const path = keyFilePath(dataDir);
  if (!existsSync(path)) return false;
  rmSync(path, { force: true });
  return true;
}
