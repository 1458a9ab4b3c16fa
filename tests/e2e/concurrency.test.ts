import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addKey,
  type CliResult,
  jsonOut,
  type ListedKey,
  makeHome,
  type RunOptions,
  runCli,
  type TestHome,
} from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Several CLI processes on one store at the same time, the way shells, Claude Code's apiKeyHelper and a person at a
// terminal share it. Writers must never see "busy"; readers must always get a whole, decryptable key.

const WRITERS = 2;
const KEYS_PER_WRITER = 10;
/** Upper bound on reader iterations, in case the writers hang; the reader normally stops when they finish. */
const MAX_READS = 200;
const SEED = fakeApiKey("CONC_SEED");
const keyFor = (w: number, i: number) => fakeApiKey(`CONC_W${w}_K${i}`);
const BUSY = /E_STORE_BUSY|SQLITE_BUSY|SQLITE_LOCKED|database is locked/i;
const WELL_FORMED = /^sk-ant-api03-[A-Za-z0-9_-]{93}AA\n$/;

interface Run {
  label: string;
  result: CliResult;
}

let home: TestHome;
const opts = (extra: Partial<RunOptions> = {}): RunOptions => ({ home, timeoutMs: 30_000, ...extra });

const failures = (runs: Run[]) =>
  runs
    .filter((r) => r.result.code !== 0 || BUSY.test(r.result.stderr))
    .map(
      (r) => `${r.label}: exit ${r.result.code} ${r.result.signal ?? ""} ${r.result.stderr.slice(0, 300)}`,
    );

describe("concurrent CLI processes on one store", () => {
  const writes: Run[] = [];
  const reads: Run[] = [];

  beforeAll(async () => {
    home = await makeHome();
    // The store exists first: concurrent creation of a store is a separate, documented race (E_STORE_BUSY).
    // Made in process: the processes below are the subject, not this set-up.
    await inProcess(home, (app) => app.keys.add({ name: "seed", secret: SEED, validate: false }));

    let writersDone = false;
    const writer = async (w: number) => {
      for (let i = 0; i < KEYS_PER_WRITER; i++) {
        const result = await addKey(`w${w}-k${i}`, keyFor(w, i), opts(), ["--no-validate"]);
        writes.push({ label: `writer ${w} add #${i}`, result });
      }
    };
    const reader = async () => {
      for (let n = 0; n < MAX_READS && !writersDone; n++) {
        const args = n % 3 === 2 ? ["--json", "list"] : n % 3 === 1 ? ["--json", "current"] : ["current"];
        reads.push({ label: `reader #${n} ${args.join(" ")}`, result: await runCli(args, opts()) });
      }
    };
    const writing = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w))).finally(() => {
      writersDone = true;
    });
    await Promise.all([writing, reader()]);
  }, 120_000);
  afterAll(async () => {
    await home?.cleanup();
  });

  it("every add succeeded, none reported busy", () => {
    expect(writes).toHaveLength(WRITERS * KEYS_PER_WRITER);
    expect(failures(writes)).toEqual([]);
  });

  it("the reader ran while the writers did, and never failed or saw busy", () => {
    // A few reads at least, or the test proved nothing about concurrency.
    expect(reads.length).toBeGreaterThanOrEqual(5);
    expect(failures(reads)).toEqual([]);
  });

  it("every current printed the active key, whole and well-formed", () => {
    const currents = reads.filter((r) => r.label.endsWith(" current"));
    expect(currents.length).toBeGreaterThan(0);
    for (const { label, result } of currents) {
      if (label.includes("--json")) {
        // `--json current` prints the key the same way: it is the one output meant for a program.
        expect(result.stdout.trim().length, label).toBeGreaterThan(0);
        const text = result.stdout.trim();
        const key = text.startsWith("{") || text.startsWith('"') ? extractKey(JSON.parse(text)) : text;
        expect(key, label).toBe(SEED);
      } else {
        expect(result.stdout, label).toMatch(WELL_FORMED);
        expect(result.stdout, label).toBe(`${SEED}\n`);
      }
    }
  });

  it("every list was valid JSON holding the seed and only whole rows", () => {
    for (const { label, result } of reads.filter((r) => r.label.endsWith(" list"))) {
      const rows = jsonOut<ListedKey[]>(result);
      expect(
        rows.map((r) => r.name),
        label,
      ).toContain("seed");
      for (const row of rows) expect(row.masked, label).toMatch(/^sk-ant-api03-…[A-Za-z0-9_-]{4}$/);
    }
  });

  it("the final list has the seed and all 20 keys, each once", async () => {
    const rows = await inProcess(home, (app) => app.keys.list());
    const expected = ["seed"];
    for (let w = 0; w < WRITERS; w++) for (let i = 0; i < KEYS_PER_WRITER; i++) expected.push(`w${w}-k${i}`);
    expect(rows.map((r) => r.name).sort()).toEqual(expected.sort());
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    // Only the seed is active: a profile's first key, and nobody ran `use`.
    expect(rows.filter((r) => r.active).map((r) => r.name)).toEqual(["seed"]);
  });

  it("every stored key decrypts to what was added", async () => {
    await inProcess(home, async (app) => {
      for (let w = 0; w < WRITERS; w++) {
        for (let i = 0; i < KEYS_PER_WRITER; i += 3) {
          expect(await app.keys.reveal(`w${w}-k${i}`)).toBe(keyFor(w, i));
        }
      }
    });
  });

  it("the audit log has one key.add per add", async () => {
    const audit = await inProcess(home, (app) => app.audit({ limit: 1000 }));
    expect(audit.filter((e) => e.action === "key.add")).toHaveLength(WRITERS * KEYS_PER_WRITER + 1);
  });
});

/** The key in a `--json current` document, whatever its exact shape. */
function extractKey(doc: unknown): unknown {
  if (typeof doc === "string") return doc;
  const o = doc as Record<string, unknown>;
  return o.secret ?? o.key ?? o.apiKey ?? o.value;
}
