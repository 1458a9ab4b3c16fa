import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonError, runCli } from "../fixtures/cli.ts";
import { foreignFileTests, foreignSqlite } from "../fixtures/foreign-stores.ts";
import { KEY, sha, storeSafetyHome } from "../fixtures/store-safety.ts";

// Issue 20, item 10: a file that is not an apikey store is refused and left as it was — in an env-key store (the
// other kinds: issue20-store-foreign-passphrase, -key-file). Split by item out of one file (tests/fixtures/store-
// safety.ts has what they share) so the suite's workers share the items out.

const t = storeSafetyHome();

describe("issue 20 item 10: a file that is not an apikey store is refused and left as it was", () => {
  foreignFileTests(["an env-key store"], () => t.home);

  it("item 10: store copy into a foreign SQLite file refuses it and leaves it unchanged", async () => {
    await t.storeCopy();
    const target = join(t.home.root, "other.db");
    foreignSqlite("CREATE TABLE foo (x)")(target);
    const before = sha(target);
    const r = await runCli(["--json", "store", "copy", "--to", target], t.opts);
    expect(r.code, r.stderr).toBe(1);
    expect(jsonError(r).code).toBe("E_NOT_A_STORE");
    expect(sha(target)).toBe(before);
  });

  it("item 10: a real store still opens, and a new one appears only whole (no empty file ever)", async () => {
    await t.storeWithKey();
    expect(readFileSync(t.home.storePath).subarray(0, 16).toString("latin1")).toBe("SQLite format 3\0");
    expect(readdirSync(t.home.dataDir).filter((f) => f.includes(".new"))).toEqual([]);
    expect((await runCli(["current"], t.opts)).stdout.trim()).toBe(KEY);
  });
});
