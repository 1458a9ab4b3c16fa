import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { addKey, jsonError, jsonOut, runCli } from "../fixtures/cli.ts";
import { expectCode, KEY2, storeSafetyHome } from "../fixtures/store-safety.ts";

// Issue 20, item 15: a store whose master-key slots are gone is damaged, never empty. Split by item out of one file
// (tests/fixtures/store-safety.ts has what they share) so the suite's workers share the items out.

const t = storeSafetyHome();

describe("issue 20 item 15: a store whose master-key slots are gone is damaged, never empty", () => {
  const damage: Array<[string, string]> = [
    ["every slot row deleted", "DELETE FROM master_key_slots"],
    ["every slot and the meta row deleted", "DELETE FROM master_key_slots; DELETE FROM store_meta"],
    ["the slot's wrapped data key emptied", "UPDATE master_key_slots SET wrapped_dek = x''"],
    [
      "the slot's wrapped data key cut short",
      "UPDATE master_key_slots SET wrapped_dek = substr(wrapped_dek, 1, 20)",
    ],
    ["the slot's nonce cut to one byte", "UPDATE master_key_slots SET dek_nonce = x'00'"],
  ];
  for (const [label, sql] of damage) {
    it(`item 15: ${label}: current (both paths), add and reveal say E_STORE_CORRUPT; status says damaged`, async () => {
      await t.storeCopy();
      const db = new Database(t.home.storePath);
      db.exec(sql);
      db.close();
      const count = () => {
        const d = new Database(t.home.storePath, { readonly: true });
        try {
          return d
            .prepare("SELECT (SELECT count(*) FROM keys) || '/' || (SELECT count(*) FROM master_key_slots)")
            .pluck()
            .get();
        } finally {
          d.close();
        }
      };
      const rows = count();
      const hot = await runCli(["current"], t.opts);
      expect(hot.code).toBe(1);
      expect(hot.stdout).toBe("");
      expect(hot.stderr).toMatch(/damaged/);
      expect(hot.stderr).not.toMatch(/store is empty/i);
      for (const args of [
        ["--json", "current"],
        ["--json", "reveal", "work"],
        ["--json", "exec", "--", "true"],
      ]) {
        const r = await runCli(args, t.opts);
        expectCode(r, "E_STORE_CORRUPT");
        expect(jsonError(r).hint ?? "").toMatch(/backup|export/);
      }
      expectCode(await addKey("two", KEY2, t.opts, ["--no-validate"]), "E_STORE_CORRUPT");
      expect(count()).toBe(rows);
      // Listing needs no unlock: the keys still show, and status names the damage.
      expect(jsonOut<unknown[]>(await runCli(["--json", "list"], t.opts))).toHaveLength(1);
      const s = jsonOut<{ damage: string | null; warnings: string[] }>(
        await runCli(["--json", "status"], t.opts),
      );
      expect(s.damage).toBe("no_slots");
      expect(s.warnings.join(" ")).toMatch(/damaged/);
    });
  }

  it("item 15: a sound store's status reports no damage", async () => {
    await t.storeCopy();
    expect(jsonOut<{ damage: unknown }>(await runCli(["--json", "status"], t.opts)).damage).toBeNull();
  });
});
