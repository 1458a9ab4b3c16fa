import { ApikeyError } from "@apikey/core/errors";
import type { Store } from "@apikey/core/store";
import type { BetterSqliteOpenOptions } from "./better-sqlite3.ts";

// The one choice every Node front makes the same way: APIKEY_DATABASE_URL=postgres://… opens the team's shared
// PostgreSQL store; without it, the SQLite file in the data directory (better-sqlite3), as always. Both drivers
// load lazily, so a front on SQLite never loads pg and the reverse.

/** The environment variable that selects a PostgreSQL store. */
export const DATABASE_URL_VARIABLE = "APIKEY_DATABASE_URL";

export interface OpenConfiguredStoreOptions extends BetterSqliteOpenOptions {
  /** APIKEY_DATABASE_URL's value; empty or undefined means SQLite at `path`. */
  databaseUrl?: string | undefined;
}

export async function openConfiguredStore(options: OpenConfiguredStoreOptions): Promise<Store> {
  const { databaseUrl, ...sqlite } = options;
  const url = databaseUrl?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//i.test(url)) {
      throw new ApikeyError("E_USAGE", `${DATABASE_URL_VARIABLE} must be a postgres:// URL.`, {
        details: { variable: DATABASE_URL_VARIABLE },
      });
    }
    const { openStore } = await import("./postgres.ts");
    return openStore({
      url,
      label: DATABASE_URL_VARIABLE,
      ...(sqlite.ifMissing !== undefined && { ifMissing: sqlite.ifMissing }),
    });
  }
  const { openStore } = await import("./better-sqlite3.ts");
  return openStore(sqlite);
}
