import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openStore } from "./better-sqlite3.ts";
import { startBackgroundCheckpoints } from "./drivers/background-checkpoints.ts";

// The WAL index (the -shm file) as documented in https://sqlite.org/walformat.html: the header's mxFrame (frames
// committed to the WAL) at byte 16 and the checkpoint info's nBackfill (frames copied into the database) at byte
// 96, both native-endian 32-bit. Reading them shows who checkpointed without checkpointing anything ourselves.
function walIndex(dbPath: string): { committed: number; checkpointed: number } {
  const shm = readFileSync(`${dbPath}-shm`);
  return { committed: shm.readUInt32LE(16), checkpointed: shm.readUInt32LE(96) };
}

const dirs: string[] = [];
const newPath = () => {
  const dir = mkdtempSync(join(tmpdir(), "apikey-ckpt-"));
  dirs.push(dir);
  return join(dir, "apikey.db");
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** About 200 WAL frames: far below SQLite's automatic threshold of 1,000. */
async function write(store: Awaited<ReturnType<typeof openStore>>): Promise<void> {
  for (let i = 0; i < 100; i++) await store.settings.set(`filler-${i}`, "x".repeat(3000), new Date());
}

describe("background WAL checkpoints (better-sqlite3)", () => {
  it("a worker thread checkpoints the WAL while the store stays open", async () => {
    const path = newPath();
    const store = await openStore({ path, backgroundCheckpoints: true });
    try {
      await write(store);
      await vi.waitFor(
        () => {
          const { committed, checkpointed } = walIndex(path);
          expect(committed).toBeGreaterThan(100);
          expect(checkpointed).toBe(committed);
        },
        { timeout: 5000, interval: 50 },
      );
      // The store keeps working after the worker's checkpoints.
      await store.settings.set("after", 1, new Date());
      expect(await store.settings.get("after")).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("without it, the same writes stay uncheckpointed (SQLite waits for 1,000 frames): the test above can fail", async () => {
    const path = newPath();
    const store = await openStore({ path });
    try {
      // Nothing runs in the background here, so there is nothing to wait for.
      await write(store);
      const { committed, checkpointed } = walIndex(path);
      expect(committed).toBeGreaterThan(100);
      expect(checkpointed).toBe(0);
    } finally {
      await store.close();
    }
  });

  it("the connection's automatic checkpoint comes back when the worker cannot start", async () => {
    const path = newPath();
    await (await openStore({ path })).close();
    const settings: number[] = [];
    const reasons: string[] = [];
    const checkpoints = startBackgroundCheckpoints({
      path,
      driver: join(tmpdir(), "no-such-sqlite-driver.js"),
      setAutoCheckpoint: (pages) => settings.push(pages),
      onFallback: (reason) => reasons.push(reason),
    });
    await vi.waitFor(() => expect(reasons).toHaveLength(1), { timeout: 5000, interval: 20 });
    expect(settings).toEqual([0, 1000]);
    expect(reasons[0]).toMatch(/no-such-sqlite-driver/);
    await checkpoints.stop();
  });

  it("stop() ends the worker and leaves the automatic checkpoint alone (the connection is closing)", async () => {
    const path = newPath();
    await (await openStore({ path })).close();
    const settings: number[] = [];
    const checkpoints = startBackgroundCheckpoints({
      path,
      driver: createRequire(import.meta.url).resolve("better-sqlite3"),
      setAutoCheckpoint: (pages) => settings.push(pages),
      onFallback: () => settings.push(-1),
    });
    await checkpoints.stop();
    expect(settings).toEqual([0]);
  });
});
