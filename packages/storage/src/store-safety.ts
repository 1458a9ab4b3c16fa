// Like OpenSSH's StrictModes: a store whose directory or files another user can write may have been planted or
// swapped by them (they add a key, you use or reveal it), so it is refused before anything is read or written.
// The one check every open makes (CLI, `apikey current`'s hot path, the Slack bot, Raycast). Import-light: the
// hot path loads it, so node built-ins and core's constants only.
import { realpathSync, type Stats, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ApikeyError } from "@apikey/core/errors";
import { KEY_FILE } from "@apikey/core/paths";

export interface UnsafeStorePath {
  path: string;
  reason: "owner" | "writable" | "parent_writable";
  /** The shell command that fixes it, e.g. `chmod 700 DIR` (root may be needed for `chown`). */
  fix: string;
}

/**
 * What makes the store at `dbPath` unsafe to use, or null. Checked: the store's directory and its files (the
 * database, -wal, -shm and the key file): each must be owned by this user (or root) and writable by no one else.
 * The directory's ancestors must not let another user swap the directory out: owned by this user or root, and
 * not writable by others unless sticky (/tmp). Group-writable ancestors are allowed (user-private groups make home
 * directories 0775 on some systems); the store's own directory and files are not. Platforms without uids
 * (Windows) have no such check.
 */
export function findUnsafeStorePath(dbPath: string): UnsafeStorePath | null {
  const uid = process.geteuid?.();
  if (uid === undefined || dbPath === ":memory:") return null;
  let dir = dirname(dbPath);
  const dirStat = statOrNull(dir);
  if (dirStat !== null) {
    // Links are followed (an APIKEY_HOME linked elsewhere is fine): what counts is who can write the real thing.
    dir = realpathSync.native(dir);
    const self = judge(dir, dirStat, uid, true);
    if (self) return self;
    for (const file of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, join(dir, KEY_FILE)]) {
      const st = statOrNull(file);
      if (st === null) continue;
      const found = judge(file, st, uid, false);
      if (found) return found;
    }
  }
  let current = dir;
  for (let parent = dirname(current); parent !== current; current = parent, parent = dirname(parent)) {
    const st = statOrNull(parent);
    if (st === null) continue;
    if (st.uid !== uid && st.uid !== 0) {
      return { path: parent, reason: "owner", fix: `move the store (APIKEY_HOME) out of ${parent}` };
    }
    const sticky = (st.mode & 0o1000) !== 0;
    if ((st.mode & 0o002) !== 0 && !sticky) {
      return { path: parent, reason: "parent_writable", fix: `chmod o-w ${parent}` };
    }
  }
  return null;
}

/** Throws E_STORE_UNSAFE with the fix when the store at `dbPath` is not safe to use (see findUnsafeStorePath). */
export function assertSafeStore(dbPath: string): void {
  const unsafe = findUnsafeStorePath(dbPath);
  if (unsafe === null) return;
  const what = unsafe.reason === "owner" ? "is owned by another user" : "is writable by other users";
  throw new ApikeyError(
    "E_STORE_UNSAFE",
    `Refusing the key store at ${dbPath}: ${unsafe.path} ${what}, so someone else could have planted or changed it.`,
    {
      hint: `Fix it with \`${unsafe.fix}\` if you trust what is there; otherwise move it aside and restore from a backup.`,
      details: { reason: unsafe.reason, path: unsafe.path, fix: unsafe.fix },
    },
  );
}

function judge(path: string, st: Stats, uid: number, isDir: boolean): UnsafeStorePath | null {
  if (st.uid !== uid && st.uid !== 0) {
    return { path, reason: "owner", fix: `chown ${uid} ${path}` };
  }
  if ((st.mode & 0o022) !== 0) {
    return { path, reason: "writable", fix: `chmod ${isDir ? "700" : "600"} ${path}` };
  }
  return null;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
