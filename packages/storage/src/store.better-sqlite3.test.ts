import { describeStoreContract } from "./store.contract.ts";

describeStoreContract("better-sqlite3", "better-sqlite3");
