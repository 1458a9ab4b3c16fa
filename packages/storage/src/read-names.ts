// Names for shell completion: key, profile and OAuth provider names are not secrets, so they are read without
// unlocking anything, from a query-only connection that never creates a store, migrates one or reads a ciphertext.
// Not a read-only connection: that one could not remove the -wal/-shm files a WAL reader creates on closing.
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { withAddon } from "./drivers/addon.ts";
import { findUnsafeStorePath } from "./store-safety.ts";

export type NameKind = "keys" | "profiles" | "providers";

const SQL: Record<NameKind, string> = {
  // Rotated keys keep their name but answer to no command by it.
  keys: "SELECT name FROM keys WHERE profile = ? AND status != 'rotated' ORDER BY name",
  profiles: "SELECT name FROM profiles ORDER BY name",
  providers: "SELECT name FROM oauth_providers ORDER BY name",
};

/** The names of `kind` (keys of `profile`); [] when there is no store or it cannot be read as expected. */
export function readNames(dbPath: string, kind: NameKind, profile = "default"): string[] {
  // A store others could have planted offers no names (a shell would print them): the real command refuses it.
  if (!existsSync(dbPath) || findUnsafeStorePath(dbPath) !== null) return [];
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, withAddon({ fileMustExist: true }));
    db.pragma("query_only = ON");
    // Completion runs on a key press: never wait long behind a writer.
    db.pragma("busy_timeout = 200");
    const statement = db.prepare(SQL[kind]).pluck();
    return (kind === "keys" ? statement.all(profile) : statement.all()) as string[];
  } catch {
    // A store from another schema, a locked or damaged file: completion offers nothing rather than failing.
    return [];
  } finally {
    db?.close();
  }
}
