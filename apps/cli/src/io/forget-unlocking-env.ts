import { closeSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { STORE_UNLOCKING_VARIABLES } from "@apikey/core";

// Once the configuration is read, apikey's own environment no longer needs what unlocks the store, and a process it
// starts (`exec`'s command, a browser) could read it there: on Linux every same-user process can read
// /proc/<pid>/environ. Deleting from process.env (unsetenv) does not change what that file shows: it is the
// environment block the kernel put on the process's stack at exec, and it stays. So on Linux the variables' bytes
// in that block are also overwritten, through /proc/self/mem. Elsewhere (macOS `ps -E`, Windows) the initial block
// cannot be changed without native code; docs/guides/security.md's threat model says so.

const UNLOCKING = new Set<string>(STORE_UNLOCKING_VARIABLES);
const MAX_BLOCK = 1024 * 1024;

export interface Forgotten {
  /** Variables deleted from process.env. */
  removed: string[];
  /** Whether the process's initial environment block no longer holds them (Linux), or could not be changed. */
  initialBlock: "scrubbed" | "unchanged";
}

export function forgetUnlockingVariables(env: NodeJS.ProcessEnv = process.env): Forgotten {
  const removed = Object.keys(env).filter((name) => UNLOCKING.has(name.toUpperCase()));
  for (const name of removed) delete env[name];
  if (removed.length === 0) return { removed, initialBlock: "scrubbed" };
  return {
    removed,
    initialBlock: process.platform === "linux" && scrubInitialBlock() ? "scrubbed" : "unchanged",
  };
}

/** Overwrites every unlocking NAME=value in this process's initial environment block with NUL bytes. */
function scrubInitialBlock(): boolean {
  let fd: number | undefined;
  try {
    // Fields 50 and 51 of /proc/self/stat (Linux ≥ 3.5): where the block starts and ends. The name field (2) may hold
    // spaces and parentheses; everything after its last ")" is plain numbers.
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = Number(fields[47]);
    const end = Number(fields[48]);
    if (
      !(Number.isSafeInteger(start) && Number.isSafeInteger(end) && end > start && end - start <= MAX_BLOCK)
    )
      return false;
    fd = openSync("/proc/self/mem", "r+");
    const block = Buffer.alloc(end - start);
    if (readSync(fd, block, 0, block.length, start) !== block.length) return false;
    for (let at = 0; at < block.length; ) {
      const nul = block.indexOf(0, at);
      const stop = nul === -1 ? block.length : nul;
      const eq = block.indexOf(0x3d, at);
      if (eq > at && eq < stop && UNLOCKING.has(block.toString("latin1", at, eq).toUpperCase())) {
        // unsetenv() above dropped libc's pointer to this entry, so nothing reads these bytes any more.
        writeSync(fd, Buffer.alloc(stop - at), 0, stop - at, start + at);
      }
      at = stop + 1;
    }
    return true;
  } catch {
    // No /proc, or /proc/self/mem not writable (a hardened kernel): the block stays as it was.
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
