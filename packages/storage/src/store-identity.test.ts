import { connectBetterSqlite3 } from "./drivers/better-sqlite3.ts";
import { fuzzStoreIdentity } from "./testing/identity-fuzz.ts";

fuzzStoreIdentity("better-sqlite3", connectBetterSqlite3);
