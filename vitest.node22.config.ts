import { defineConfig } from "vitest/config";

// Everything that needs node:sqlite, run under Node 22 by scripts/run-node22-tests.mjs: the Store contract on the
// node:sqlite driver, the Raycast extension (Raycast's runtime has node:sqlite and no native addons), and the tests
// that drive every front on one store (tests/fronts).
const report = process.env.APIKEY_TEST_REPORT;

export default defineConfig({
  test: {
    // A second report beside the main run's, for .ci/run's summary line.
    reporters: report
      ? ["default", ["json", { outputFile: report.replace(/\.json$/, ".node22.json") }]]
      : ["default"],
    projects: [
      "packages/storage/vitest.node22.config.ts",
      "apps/raycast/vitest.config.mts",
      "tests/vitest.fronts.config.mts",
    ],
  },
});
