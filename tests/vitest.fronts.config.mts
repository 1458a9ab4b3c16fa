import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests that drive every front at once on one store (the CLI as a process, the Slack bot's real receiver, the
// Raycast extension's data module and forms with its @raycast/api mock). Run under Node 22 with the Raycast tests
// (vitest.node22.config.ts): the extension opens the store with node:sqlite, as in Raycast.
export default defineConfig({
  resolve: {
    alias: {
      "@raycast/api": fileURLToPath(new URL("../apps/raycast/test/mock/raycast-api.tsx", import.meta.url)),
      // The extension's own React, so the test and the components share one copy.
      react: fileURLToPath(new URL("../apps/raycast/node_modules/react", import.meta.url)),
    },
  },
  test: {
    server: { deps: { inline: ["@raycast/utils"] } },
    name: "fronts",
    root: import.meta.dirname,
    include: ["fronts/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
