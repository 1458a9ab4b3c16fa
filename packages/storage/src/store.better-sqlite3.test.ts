import { describeSqliteStoreContract, describeStoreContract } from "./store.contract.ts";
import { sqliteTarget } from "./testing/contract-target.ts";

describeStoreContract(sqliteTarget("better-sqlite3", "better-sqlite3"));
describeSqliteStoreContract("better-sqlite3", "better-sqlite3");
