import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LATEST_MIGRATION_MILLIS, migrations } from "./migrations.generated.ts";
import { MIGRATION_COUNT } from "./migrations.latest.ts";

describe("embedded migrations", () => {
  it("match drizzle/ exactly (run `pnpm db:generate` after changing the schema)", () => {
    const script = fileURLToPath(new URL("../scripts/embed-migrations.mjs", import.meta.url));
    // --check exits non-zero, with the stale file named on stderr, when anything would change.
    expect(() => execFileSync(process.execPath, [script, "--check"], { stdio: "pipe" })).not.toThrow();
  });

  it("export the newest migration's timestamp", () => {
    expect(migrations.length).toBeGreaterThan(0);
    expect(LATEST_MIGRATION_MILLIS).toBe(migrations.at(-1)?.folderMillis);
    expect(MIGRATION_COUNT).toBe(migrations.length);
  });
});
