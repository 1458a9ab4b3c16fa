import { defineConfig } from "vitest/config";

// The node:sqlite pass of the Store contract. Runs under Node 22 (scripts/run-node22-tests.mjs), where the
// better-sqlite3 binary built for the workspace's Node cannot load, so only *.node-sqlite.test.ts belong here.
export default defineConfig({
  test: {
    name: "storage-node-sqlite",
    root: import.meta.dirname,
    include: ["src/**/*.node-sqlite.test.ts"],
  },
});
