import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The extension's tests: @raycast/api aliased to our mock (the npm package holds only types and the `ray` CLI), and
// @raycast/utils inlined so its own `@raycast/api` import resolves to the mock too. Runs under Node 22
// (scripts/run-node22-tests.mjs) because the store is opened with node:sqlite, as in Raycast.
export default defineConfig({
  resolve: {
    alias: { "@raycast/api": fileURLToPath(new URL("./test/mock/raycast-api.tsx", import.meta.url)) },
  },
  test: {
    server: { deps: { inline: ["@raycast/utils"] } },
    name: "raycast",
    root: import.meta.dirname,
    include: ["src/**/*.test.{ts,tsx}", "test/**/*.test.{ts,tsx}"],
    setupFiles: ["test/setup.ts"],
    // The files share one module graph and process per worker, as the workspace's projects do (vitest.config.ts),
    // instead of a process per file importing React, react-test-renderer, the mock, @raycast/utils and the vendored
    // core and storage again (the files other than the standalone install: 65 -> 47 CPU-seconds on 2 cores). Safe
    // because no file mocks a module or uses fake timers, the one global a test replaces (process.getBuiltinModule)
    // and the environment (makeFixture) are restored after each test, test/setup.ts puts the mock back as a fresh
    // import has it before each test, and the extension's own module state is constant for the process (the audit
    // actor) or keyed by what a test makes (@raycast/utils' Cache objects find their folder from the mock's root on
    // every call; the federation token cache is keyed by key id).
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
