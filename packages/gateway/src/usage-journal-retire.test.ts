import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type Store, Vault } from "@apikey/core/testing";
import { journalSetting } from "@apikey/core/usage-journal";
import { openStore } from "@apikey/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPACT_BYTES, journalRecorder } from "./usage-journal.ts";

// Issue 25 item 2, the journal's loose ends: its settings row (`usage-journal:<id>`, the last sequence number
// folded) goes once the journal is folded completely, by a dead gateway's next reader or by the gateway's own stop,
// and a crash between the fold and the row's deletion neither loses nor double-counts; and a journal past 1 MB is
// cut back without losing or repeating an event. A real store file and real journal files.

const FAKE_KEY = `sk-ant-api03-${"FAKE_TEST_GATEWAY_RETIRE".padEnd(93, "x")}AA`;
const NOW = () => new Date("2026-12-06T12:00:00Z");

let dir: string;
let store: Store;
let keyId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "apikey-journal-retire-"));
  const config = loadConfig({ APIKEY_HOME: dir, APIKEY_MASTER_KEY: Buffer.alloc(32, 7).toString("base64") });
  store = await openStore({ path: join(dir, "apikey.db") });
  const vault = new Vault({ store, config, actor: "test", front: "api" });
  keyId = (await vault.add({ name: "a", secret: FAKE_KEY, validate: false })).key.id;
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const input = (requestId: string) => ({
  keyId,
  model: "claude-sonnet-4-5",
  inputTokens: 100,
  outputTokens: 1000,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
  requestId,
  front: "gateway",
});
const line = (seq: number, requestId: string) =>
  `${JSON.stringify({ seq, ...input(requestId), costUsd: 0.01, at: NOW().getTime() })}\n`;
const throwing = (err: unknown) => {
  throw err;
};
/** How many times each request id is in usage_events. */
async function counts(prefix: string): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (const e of await store.usage.list({ keyId }))
    if (e.requestId?.startsWith(prefix)) seen.set(e.requestId, (seen.get(e.requestId) ?? 0) + 1);
  return seen;
}
const deadPid = () =>
  Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString());
const deadId = (n: number) => `${deadPid()}-00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

describe("issue 25: a journal's settings row does not outlive its journal", () => {
  it("leaves no row and no file after 20 gateway runs, stopped or killed, each event counted once", async () => {
    const journalDir = join(dir, "runs");
    const ids: string[] = [];
    for (let run = 0; run < 20; run++) {
      if (run % 2 === 0) {
        // A gateway stopped cleanly: folds, then retires its own journal.
        const before = new Set(existsSync(journalDir) ? readdirSync(journalDir) : []);
        const journal = journalRecorder(store, journalDir, NOW, throwing);
        for (let i = 0; i < 3; i++) await journal.record(input(`req_run${run}_${i}`));
        await journal.idle();
        const [own] = readdirSync(journalDir).filter((f) => !before.has(f));
        ids.push((own as string).replace(/\.jsonl$/, ""));
        await journal.close();
      } else {
        // A gateway killed after folding its first event: the next run's start folds the rest.
        const id = deadId(run);
        ids.push(id);
        await store.transaction(async (tx) => {
          await tx.usage.record({ ...input(`req_run${run}_0`), costUsd: 0.01, at: NOW() });
          await tx.settings.set(journalSetting(id), { folded: 1 }, NOW());
        });
        mkdirSync(journalDir, { recursive: true });
        writeFileSync(
          join(journalDir, `${id}.jsonl`),
          [0, 1, 2].map((i) => line(i + 1, `req_run${run}_${i}`)).join(""),
        );
        const next = journalRecorder(store, journalDir, NOW, throwing);
        await next.recover();
        await next.close();
      }
    }
    expect(ids).toHaveLength(20);
    for (const id of ids) expect(await store.settings.get(journalSetting(id))).toBeNull();
    expect(readdirSync(journalDir)).toEqual([]);
    const seen = await counts("req_run");
    expect(seen.size).toBe(60);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  }, 30_000);

  it("a crash between the fold and the row's deletion neither loses nor double-counts", async () => {
    const journalDir = join(dir, "crash");
    mkdirSync(journalDir, { recursive: true });
    const folded = async (id: string, tag: string) =>
      store.transaction(async (tx) => {
        for (let i = 1; i <= 3; i++)
          await tx.usage.record({ ...input(`req_${tag}_${i}`), costUsd: 0.01, at: NOW() });
        await tx.settings.set(journalSetting(id), { folded: 3 }, NOW());
      });
    const lines = (tag: string) => [1, 2, 3].map((i) => line(i, `req_${tag}_${i}`)).join("");
    // Killed after the events' commit, before marking the journal folded: the claim is still there.
    const claimed = deadId(101);
    await folded(claimed, "crashA");
    writeFileSync(join(journalDir, `${claimed}.jsonl.folding-${deadId(102)}`), lines("crashA"));
    // Killed after marking it folded, before deleting the row.
    const marked = deadId(103);
    await folded(marked, "crashB");
    writeFileSync(join(journalDir, `${marked}.jsonl.folded`), lines("crashB"));
    // Killed after deleting the row, before removing the file.
    const rowless = deadId(104);
    await folded(rowless, "crashC");
    await store.settings.delete(journalSetting(rowless));
    writeFileSync(join(journalDir, `${rowless}.jsonl.folded`), lines("crashC"));

    const next = journalRecorder(store, journalDir, NOW, throwing);
    expect(await next.recover()).toBe(0);
    await next.close();
    for (const id of [claimed, marked, rowless])
      expect(await store.settings.get(journalSetting(id))).toBeNull();
    expect(readdirSync(journalDir)).toEqual([]);
    const seen = await counts("req_crash");
    expect(seen.size).toBe(9);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });
});

describe("issue 25: a journal past 1 MB", () => {
  it("is cut back once folded, and at every moment its unfolded lines and the store hold each event once", async () => {
    const journalDir = join(dir, "big");
    // The store's commits wait until the test lets them through: events recorded meanwhile arrive mid-fold.
    let hold: Promise<void> | null = null;
    let release = () => {};
    const gated = new Proxy(store, {
      get(target, prop) {
        if (prop === "transaction")
          return async (fn: Parameters<Store["transaction"]>[0]) => {
            await hold;
            return target.transaction(fn);
          };
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as Store;
    const journal = journalRecorder(gated, journalDir, NOW, throwing);
    const [file] = readdirSync(journalDir);
    const path = join(journalDir, file as string);
    const id = (file as string).replace(/\.jsonl$/, "");
    let recorded = 0;
    let peak = 0;
    /** What a reader would fold if the gateway died now, added to what is in the store: each event exactly once. */
    const invariant = async () => {
      const done =
        ((await store.settings.get(journalSetting(id))) as { folded?: number } | null)?.folded ?? 0;
      const unfolded = readFileSync(path, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { seq: number; requestId: string })
        .filter((l) => l.seq > done)
        .map((l) => l.requestId);
      const stored = await counts("req_big_");
      for (const r of unfolded) stored.set(r, (stored.get(r) ?? 0) + 1);
      expect(stored.size).toBe(recorded);
      expect([...stored.values()].every((n) => n === 1)).toBe(true);
    };
    // About 300 bytes a line: 8 waves of 600 pass 1 MB more than once. Each wave's fold is held once it has
    // started, and the journal checked then: the moment a cut-back that drops unfolded lines would show.
    for (let wave = 0; wave < 8; wave++) {
      hold = new Promise((r) => {
        release = r;
      });
      await Promise.all(Array.from({ length: 600 }, (_, i) => journal.record(input(`req_big_${wave}_${i}`))));
      recorded += 600;
      peak = Math.max(peak, statSync(path).size);
      await invariant();
      // The fold starts 50 ms after the appends and waits for the store.
      await new Promise((r) => setTimeout(r, 100));
      await invariant();
      release();
      hold = null;
      await new Promise((r) => setTimeout(r, 100));
      await invariant();
    }
    expect(peak).toBeGreaterThanOrEqual(COMPACT_BYTES);
    await journal.idle();
    await invariant();
    // Cut back: once it passed 1 MB with everything folded, it was emptied (the last waves only remain).
    expect(statSync(path).size).toBeLessThan(COMPACT_BYTES);
    expect((await counts("req_big_")).size).toBe(recorded);
    await journal.close();
    expect(existsSync(path)).toBe(false);
  }, 30_000);
});
