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
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
