import { defineConfig } from "vitest/config";

// The node:sqlite pass of the Store contract. Runs under Node 22 (scripts/run-node22-tests.mjs), where the
// better-sqlite3 binary built for the workspace's Node cannot load, so only *.node-sqlite.test.ts belong here.
const report = process.env.APIKEY_TEST_REPORT;

export default defineConfig({
  test: {
    // A second report beside the main run's, for .ci/run's summary line.
    reporters: report
      ? ["default", ["json", { outputFile: report.replace(/\.json$/, ".node22.json") }]]
      : ["default"],
    name: "storage-node-sqlite",
    root: import.meta.dirname,
    include: ["src/**/*.node-sqlite.test.ts"],
  },
});
