// The store contract on PGlite: PostgreSQL in this process, no server needed, so it runs with every `pnpm test`.
import { afterAll, beforeAll } from "vitest";
import { newPgliteHub, type PgliteHub } from "./pglite.ts";
import { describeStoreContract } from "./store.contract.ts";
import { pgliteTarget } from "./testing/pg-target.ts";

let hub: PgliteHub | undefined;
// Starting PGlite compiles PostgreSQL's WASM: seconds, once for the file.
beforeAll(async () => {
  hub = await newPgliteHub();
}, 120_000);
afterAll(async () => {
  await hub?.pglite.close();
});

describeStoreContract(
  pgliteTarget(() => {
    if (!hub) throw new Error("PGlite did not start");
    return hub;
  }),
);
