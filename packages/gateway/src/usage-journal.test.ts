import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, meteringFor, type Store, Vault } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayState } from "./gateway-state.ts";
import { resolveOptions } from "./options.ts";
import { journalRecorder } from "./usage-journal.ts";

// Issue 25 item 2: usage off the response path. An event is appended to a journal and folded into usage_events
// a moment later; a journal left by a process that died is folded by the next start, each event exactly once.
// A real store file and real journal files.

const FAKE_KEY = `sk-ant-api03-${"FAKE_TEST_GATEWAY_JOURNAL".padEnd(93, "x")}AA`;
const NOW = () => new Date("2026-12-06T12:00:00Z");

let dir: string;
let store: Store;
let keyId: string;
let vault: Vault;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "apikey-journal-"));
  const config = loadConfig({ APIKEY_HOME: dir, APIKEY_MASTER_KEY: Buffer.alloc(32, 7).toString("base64") });
  store = await openStore({ path: join(dir, "apikey.db") });
  vault = new Vault({ store, config, actor: "test", front: "api" });
  keyId = (await vault.add({ name: "a", secret: FAKE_KEY, validate: false })).key.id;
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const input = (requestId: string, outputTokens = 1000) => ({
  keyId,
  model: "claude-sonnet-4-5",
  inputTokens: 100,
  outputTokens,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
  requestId,
  front: "gateway",
});
const recorded = async (requestId: string) =>
  (await store.usage.list({ keyId })).filter((e) => e.requestId === requestId).length;

/** The id of a process that has exited: its journal is one a dead gateway left. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

const line = (seq: number, requestId: string) =>
  `${JSON.stringify({ seq, ...input(requestId), costUsd: 0.01, at: NOW().getTime() })}\n`;

describe("issue 25: the usage journal", () => {
  it("releases at once, counts the cost as spent until folded, then folds into usage_events", async () => {
    const journalDir = join(dir, "j1");
    const journal = journalRecorder(store, journalDir, NOW, (err) => {
      throw err;
    });
    const event = await journal.record(input("req_j1"));
    expect(event?.costUsd).toBeGreaterThan(0);
    const [file] = readdirSync(journalDir);
    expect(readFileSync(join(journalDir, file as string), "utf8")).toContain('"requestId":"req_j1"');
    expect(journal.unfolded(keyId)).toBeCloseTo(event?.costUsd ?? 0, 12);
    await journal.idle();
    expect(await recorded("req_j1")).toBe(1);
    expect(journal.unfolded(keyId)).toBeCloseTo(0, 12);
    // Stopped with everything folded: an empty journal, nothing for the next start to count.
    expect(readFileSync(join(journalDir, file as string), "utf8")).toBe("");
  });

  it("folds a dead gateway's journal once, skipping what it had folded and a line cut by the kill", async () => {
    const journalDir = join(dir, "j2");
    const journal = journalRecorder(store, journalDir, NOW, (err) => {
      throw err;
    });
    const left = `${deadPid()}-00000000-0000-4000-8000-000000000000`;
    // Seq 1 was folded before the kill (the position committed with it); 2 and 3 were not; the last line is torn.
    await store.transaction(async (tx) => {
      await tx.usage.record({ ...input("req_j2_1"), costUsd: 0.01, at: NOW() });
      await tx.settings.set(`usage-journal:${left}`, { folded: 1 }, NOW());
    });
    writeFileSync(
      join(journalDir, `${left}.jsonl`),
      `${line(1, "req_j2_1")}${line(2, "req_j2_2")}${line(3, "req_j2_3")}{"seq":4,"keyId`,
    );
    expect(await journal.recover()).toBe(2);
    expect(existsSync(join(journalDir, `${left}.jsonl`))).toBe(false);
    expect(await journal.recover()).toBe(0);
    for (const r of ["req_j2_1", "req_j2_2", "req_j2_3"]) expect(await recorded(r)).toBe(1);
    await journal.idle();
  });

  it("two gateways starting together fold a dead gateway's journal once, and take over one whose folder died", async () => {
    const journalDir = join(dir, "j5");
    const recorders = [1, 2].map(() =>
      journalRecorder(store, journalDir, NOW, (err) => {
        throw err;
      }),
    );
    const left = `${deadPid()}-00000000-0000-4000-8000-000000000005`;
    writeFileSync(join(journalDir, `${left}.jsonl`), `${line(1, "req_j5_1")}${line(2, "req_j5_2")}`);
    const folded = await Promise.all(recorders.map((r) => r.recover()));
    expect(folded.sort()).toEqual([0, 2]);
    for (const r of ["req_j5_1", "req_j5_2"]) expect(await recorded(r)).toBe(1);
    // A folder killed mid-fold leaves its claim; the next start folds what it had not.
    const cut = `${deadPid()}-00000000-0000-4000-8000-000000000006`;
    await store.settings.set(`usage-journal:${cut}`, { folded: 1 }, NOW());
    await store.usage.record({ ...input("req_j6_1"), costUsd: 0.01, at: NOW() });
    writeFileSync(
      join(journalDir, `${cut}.jsonl.folding-${deadPid()}-00000000-0000-4000-8000-000000000007`),
      `${line(1, "req_j6_1")}${line(2, "req_j6_2")}`,
    );
    expect(await recorders[0]?.recover()).toBe(1);
    for (const r of ["req_j6_1", "req_j6_2"]) expect(await recorded(r)).toBe(1);
    // Nothing left but the two recorders' own journals: no claim outlives its fold.
    const own = new RegExp(`^${process.pid}-[0-9a-f-]+\\.jsonl$`);
    expect(readdirSync(journalDir).filter((f) => !own.test(f))).toEqual([]);
    for (const r of recorders) await r.idle();
  });

  it("leaves alone the journal of a gateway still running", async () => {
    const journalDir = join(dir, "j3");
    const journal = journalRecorder(store, journalDir, NOW, (err) => {
      throw err;
    });
    // The parent of this test process runs for as long as the test does.
    const live = `${process.ppid}-00000000-0000-4000-8000-000000000001`;
    writeFileSync(join(journalDir, `${live}.jsonl`), line(1, "req_j3_1"));
    expect(await journal.recover()).toBe(0);
    expect(await recorded("req_j3_1")).toBe(0);
    await journal.idle();
  });

  it("counts journaled cost not folded yet when a budget's spend is read again", async () => {
    const settings = await resolveOptions({
      app: { metering: meteringFor(vault) },
      upstream: "http://127.0.0.1:9",
      now: NOW,
      usageJournal: join(dir, "j4"),
    });
    const state = await gatewayState(settings);
    const before = await state.budgets.keys.spent(keyId);
    const event = await state.recorder.record(input("req_j4", 50_000));
    const cost = event?.costUsd ?? 0;
    expect(cost).toBeGreaterThan(0);
    // Another process committed: the cached figure is dropped and read from the store, where the event is not yet.
    state.budgets.keys.invalidate();
    expect(await recorded("req_j4")).toBe(0);
    expect(await state.budgets.keys.spent(keyId)).toBeCloseTo(before + cost, 9);
    await state.recorder.idle();
    state.budgets.keys.invalidate();
    expect(await recorded("req_j4")).toBe(1);
    expect(await state.budgets.keys.spent(keyId)).toBeCloseTo(before + cost, 9);
    await settings.upstream.close();
  });
});
