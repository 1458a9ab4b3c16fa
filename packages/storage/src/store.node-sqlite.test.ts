// Runs under Node >= 22.5 only (scripts/run-node22-tests.mjs); nothing imported here may load better-sqlite3,
// whose binary is built for the workspace's Node 20.
import { expect, it } from "vitest";
import { describeSqliteStoreContract, describeStoreContract } from "./store.contract.ts";
import { sqliteTarget } from "./testing/contract-target.ts";

it("runs on a Node with node:sqlite", () => {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  expect(major > 22 || (major === 22 && minor >= 5)).toBe(true);
});

describeStoreContract(sqliteTarget("node:sqlite", "node-sqlite"));
describeSqliteStoreContract("node:sqlite", "node-sqlite");
