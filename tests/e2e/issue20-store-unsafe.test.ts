import { chmodSync, chownSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addKey, jsonError, runCli } from "../fixtures/cli.ts";
import {
  expectCode,
  IS_ROOT,
  KEY,
  KEY2,
  OTHER_UID,
  plantFile,
  READERS,
  snapshot,
  storeSafetyHome,
} from "../fixtures/store-safety.ts";

// Issue 20, item 7: a store is used only when it is the user's own: one others can write or own is refused,
// untouched. Split by item out of one file (tests/fixtures/store-safety.ts has what they share) so the suite's
// workers share the items out.

const t = storeSafetyHome();

describe("issue 20 item 7: a store others can write or own is refused, untouched", () => {
  const spellings: Array<[string, (dir: string, db: string) => void]> = [
    ["directory 0777", (dir) => chmodSync(dir, 0o777)],
    ["directory 0770", (dir) => chmodSync(dir, 0o770)],
    ["directory 0702", (dir) => chmodSync(dir, 0o702)],
    ["database 0666", (_dir, db) => chmodSync(db, 0o666)],
    ["database 0660", (_dir, db) => chmodSync(db, 0o660)],
    ["database 0602", (_dir, db) => chmodSync(db, 0o602)],
    ["a -wal file 0666", (_dir, db) => plantFile(`${db}-wal`, "", 0o666)],
    ["a -shm file 0662", (_dir, db) => plantFile(`${db}-shm`, "", 0o662)],
    ["a key file 0666", (dir) => plantFile(join(dir, "master.key"), "x\n", 0o666)],
    ["its parent 0777 (not sticky)", (dir) => chmodSync(join(dir, ".."), 0o777)],
  ];
  for (const [label, plant] of spellings) {
    it(`item 7: ${label}: every read and the first write are refused with the fix, nothing read or written`, async () => {
      await t.storeCopy();
      plant(t.home.dataDir, t.home.storePath);
      const before = snapshot(t.home.dataDir);
      for (const [what, args] of READERS) {
        const r = await runCli(args, t.opts);
        expect(r.code, `${what}: ${r.stderr}`).toBe(1);
        expect(r.stdout, what).not.toContain("sk-ant-");
        expect(r.stderr, what).toMatch(/chmod (700|600|o-w) /);
        if (args[0] === "--json") expect(jsonError(r).code, what).toBe("E_STORE_UNSAFE");
      }
      expectCode(await addKey("two", KEY2, t.opts, ["--no-validate"]), "E_STORE_UNSAFE");
      expect(snapshot(t.home.dataDir)).toEqual(before);
    });
  }

  const owned: Array<[string, (dir: string, db: string) => void]> = [
    ["the directory", (dir) => chownSync(dir, OTHER_UID, OTHER_UID)],
    ["the database", (_dir, db) => chownSync(db, OTHER_UID, OTHER_UID)],
    [
      "the key file",
      (dir) => {
        writeFileSync(join(dir, "master.key"), "x\n", { mode: 0o600 });
        chownSync(join(dir, "master.key"), OTHER_UID, OTHER_UID);
      },
    ],
    ["the parent directory", (dir) => chownSync(join(dir, ".."), OTHER_UID, OTHER_UID)],
  ];
  for (const [label, plant] of owned) {
    it.skipIf(!IS_ROOT)(
      `item 7: ${label} owned by another user (uid ${OTHER_UID}, mode 0600/0700) is refused${IS_ROOT ? "" : " (skipped: needs root to chown)"}`,
      async () => {
        await t.storeCopy();
        plant(t.home.dataDir, t.home.storePath);
        const before = snapshot(t.home.dataDir);
        for (const [what, args] of READERS) {
          const r = await runCli(args, t.opts);
          expect(r.code, `${what}: ${r.stderr}`).toBe(1);
          expect(r.stdout, what).not.toContain("sk-ant-");
          expect(r.stderr, what).toMatch(/chown |move the store/);
        }
        expectCode(await addKey("two", KEY2, t.opts, ["--no-validate"]), "E_STORE_UNSAFE");
        expect(snapshot(t.home.dataDir)).toEqual(before);
      },
    );
  }

  it("item 7: a store is not created inside a directory others can write", async () => {
    chmodSync(t.home.root, 0o777);
    expectCode(await addKey("work", KEY, t.opts, ["--no-validate"]), "E_STORE_UNSAFE");
    expect(existsSync(t.home.dataDir)).toBe(false);
  });

  it("item 7: the user's own 0700/0600 store (and a linked APIKEY_HOME) still opens", async () => {
    await t.storeWithKey();
    const r = await runCli(["current"], t.opts);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(KEY);
  });
});
