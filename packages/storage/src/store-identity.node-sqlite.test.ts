import { connectNodeSqlite } from "./drivers/node-sqlite.ts";
import { fuzzStoreIdentity } from "./testing/identity-fuzz.ts";

// Under Node 22 (scripts/run-node22-tests.mjs): node:sqlite reads foreign files its own way; the rule is the same.
fuzzStoreIdentity("node-sqlite", connectNodeSqlite);
