import type { Store } from "@apikey/core/store";
import type { PGlite } from "@electric-sql/pglite";
import { connectPglite, PgliteHub } from "./pg/drivers/pglite.ts";
import { openPgStoreWith } from "./pg/open.ts";

// PostgreSQL compiled to WASM, in this process: the PostgreSQL store without a server, for tests and trials.
// @electric-sql/pglite is a development dependency: whoever imports this entry installs it.

export { PgliteHub } from "./pg/drivers/pglite.ts";

export interface OpenPgliteStoreOptions {
  /** The PGlite to use, shared by every store opened on it (wrap it once in a PgliteHub). */
  hub: PgliteHub;
  /** The schema holding this store; the search_path's first (public) when absent. */
  schema?: string;
}

export function openStore(options: OpenPgliteStoreOptions): Promise<Store> {
  const schema = options.schema;
  return openPgStoreWith(
    (s, tuning) => connectPglite(options.hub, s, tuning),
    `pglite:${schema ?? "public"}`,
    {
      schema,
    },
  );
}

/** A fresh in-memory PGlite wrapped for stores. */
export async function newPgliteHub(): Promise<PgliteHub> {
  const { PGlite: Ctor } = await import("@electric-sql/pglite");
  const pglite: PGlite = await Ctor.create();
  return new PgliteHub(pglite);
}
