import { defineConfig } from "drizzle-kit";

// Generation only: the app applies the embedded migrations itself (see scripts/embed-migrations.mjs).
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/schema.ts",
  out: "./drizzle",
});
