import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { propertySeed, seededRandom } from "@apikey/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { type Connect, openSqliteStore } from "../open.ts";
import { tempDir } from "./fixtures.ts";

// Issue 20 item 10, as a property (run per driver by store-identity{,.node-sqlite}.test.ts): whatever bytes sit at the store's path, an open that is not handed an apikey
// store refuses with a coded error and leaves every byte (and the directory) as it was. Seeded; the seed is printed.

const SEED = propertySeed("store-identity fuzz", Date.now() % 2 ** 31);

const HEADER = Buffer.from("SQLite format 3\0", "latin1");
const root = tempDir();
afterAll(() => root.cleanup());

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

function sample(next: () => number): Buffer {
  const sizes = [0, 1, 2, 15, 16, 17, 99, 100, 101, 512, 4096, 8192, 65536];
  const size = sizes[Math.floor(next() * sizes.length)] ?? 1;
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = Math.floor(next() * 256);
  const shape = Math.floor(next() * 4);
  // Half of them start like a SQLite file, so the check after the header is exercised too.
  if (shape < 2 && size >= HEADER.length) HEADER.copy(body, 0);
  if (shape === 2) return Buffer.from(["\n", " ", "\r\n", "x", "{}", "\0"][Math.floor(next() * 6)] ?? "");
  return body;
}

/** The property for one driver: 60 random files, each opened in every mode. */
export function fuzzStoreIdentity(name: string, connect: Connect): void {
  describe("issue 20 item 10: any bytes at the store's path are refused, untouched (seeded)", () => {
    it(`${name}: 60 random files, every open mode`, async () => {
      const next = seededRandom(SEED);
      for (let i = 0; i < 60; i++) {
        const dir = join(root.dir, `${name}-${i}`);
        mkdirSync(dir, { mode: 0o700 });
        const path = join(dir, "apikey.db");
        const bytes = sample(next);
        writeFileSync(path, bytes, { mode: 0o600 });
        const before = sha(path);
        for (const ifMissing of ["create", "empty", "refuse"] as const) {
          const err = await openSqliteStore(connect, { path, ifMissing }).then(
            async (s) => {
              await s.close();
              return null;
            },
            (e: unknown) => e,
          );
          const label = `seed ${SEED}, file ${i} (${bytes.length} bytes), ${ifMissing}`;
          expect(err, label).toMatchObject({
            code: expect.stringMatching(/^E_(NOT_A_STORE|STORE_CORRUPT)$/),
          });
          expect(sha(path), label).toBe(before);
          expect(readdirSync(dir), label).toEqual(["apikey.db"]);
        }
      }
    }, 120_000);
  });
}
