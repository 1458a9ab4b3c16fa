import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Apikey, journalDirIn, masterKeySource, openApikey } from "@apikey/core";
import { openStore } from "@apikey/storage/better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 25 item 2: every front reads usage and budgets through core's app (the CLI, the Slack bot, Raycast), and the
// app folds what dead gateways journaled in its data directory first; an app given no data directory folds nothing
// (a test's or a library's store is not the person's). In process, a real SQLite store, real journal files.

let home: TestHome;
let keyId: string;

beforeAll(async () => {
  home = await makeHome();
  keyId = await inProcess(
    home,
    async (app) =>
      (await app.keys.add({ name: "a", secret: fakeApiKey("READS_FOLD"), validate: false })).key.id,
  );
});
afterAll(() => home.cleanup());

const deadId = (n: number) => {
  const pid = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout);
  return `${pid}-00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
};
/** A journal a SIGKILLed gateway left: `count` responses of 1,000,000 output tokens each, none folded. */
function leaveJournal(n: number, count: number): string {
  const dir = journalDirIn(home.dataDir);
  mkdirSync(dir, { recursive: true });
  const id = deadId(n);
  const line = (seq: number) =>
    `${JSON.stringify({
      seq,
      keyId,
      tokenId: null,
      model: "claude-sonnet-4-5",
      inputTokens: 0,
      outputTokens: 1_000_000,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      costUsd: 15,
      requestId: `req_reads_${n}_${seq}`,
      front: "gateway",
      at: Date.now(),
    })}\n`;
  writeFileSync(join(dir, `${id}.jsonl`), Array.from({ length: count }, (_, i) => line(i + 1)).join(""));
  return id;
}
const requests = async (app: Apikey) =>
  (await app.usage.report({ since: new Date(Date.now() - 86_400_000), by: "key" })).totals.requests;

describe("issue 25: core's reads fold dead gateways' journals", () => {
  it("a usage report and a key list count them once; an app without a data directory leaves them", async () => {
    const before = await inProcess(home, requests);
    leaveJournal(1, 3);
    // No data directory given: nothing is folded, the journal stays.
    const bare = openApikey({
      store: await openStore({ path: home.storePath }),
      masterKeys: [masterKeySource(TEST_MASTER_KEY)],
      actor: "test",
      front: "api",
    });
    expect((await requests(bare)) - before).toBe(0);
    await bare.close();
    expect(readdirSync(journalDirIn(home.dataDir))).toHaveLength(1);

    await inProcess(home, async (app) => {
      expect((await requests(app)) - before).toBe(3);
      expect((await requests(app)) - before).toBe(3);
      // A budget's spend, as every front lists keys: a second journal, folded by the list.
      const spentBefore = (await app.keys.list()).find((k) => k.id === keyId)?.spendMonthUsd ?? 0;
      leaveJournal(2, 2);
      const spent = (await app.keys.list()).find((k) => k.id === keyId)?.spendMonthUsd ?? 0;
      expect(spent - spentBefore).toBeCloseTo(30, 6);
      expect((await requests(app)) - before).toBe(5);
    });
    expect(existsSync(journalDirIn(home.dataDir)) ? readdirSync(journalDirIn(home.dataDir)) : []).toEqual([]);
  });
});
