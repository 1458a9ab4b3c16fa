import { defineConfig } from "drizzle-kit";

// PostgreSQL's schema and migrations, beside SQLite's (drizzle.config.ts). Generation only: the store applies the
// embedded migrations itself (scripts/embed-migrations.mjs --dialect postgres).
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/pg/schema.ts",
  out: "./drizzle-pg",
});
