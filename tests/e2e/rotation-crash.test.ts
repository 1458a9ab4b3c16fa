import { keyFileSource, masterKeySource } from "@apikey/core";
import { propertySeed, seededRandom } from "@apikey/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHome, type RunOptions, runCli, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { inProcess, listedKeys } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { runAndKill } from "../fixtures/kill-loop.ts";

// A real CLI process SIGKILLed at a random moment while rotating or re-keying, many times: the store must always
// reopen, with every key decryptable and none lost. Kill delays are spread over the measured length of a full run,
// half of them near its end, so some land before the transaction, some inside it, some after. Bounded loops; the seed is printed on failure.
// Spawned: the killed runs, the runs that must converge, and the first `current` after each kill (the CLI's fast path
// reopening what the kill left; after a rekey, from the key file alone or from APIKEY_MASTER_KEY). The starting keys,
// the key list, the store's protection and the secrets checked once a run has finished are read in process.

const SEED = propertySeed("rotation crash loop", 20261127);
const ROUNDS = 10;

/** Even rounds anywhere in the run; odd rounds near its end, where the commit and the clean-up happen. */
function killDelay(random: () => number, span: number, round: number): number {
  return Math.floor(round % 2 === 0 ? random() * span : span * (0.75 + 0.35 * random()));
}

let home: TestHome;
let opts: RunOptions;

beforeAll(async () => {
  home = await makeHome();
  opts = { home };
  await inProcess(home, async (app) => {
    for (const [name, secret] of [
      ["work", fakeApiKey("CRASH_0")],
      ["other", fakeApiKey("CRASH_OTHER")],
    ] as const)
      await app.keys.add({ name, secret, validate: false });
  });
});
afterAll(async () => {
  await home?.cleanup();
});

/** The store opens with APIKEY_MASTER_KEY or its key file, whichever the last rekey left (as the CLI offers both). */
const eitherKey = () => [masterKeySource(TEST_MASTER_KEY), keyFileSource(home.dataDir)];

/** `reveal --yes NAME`, in process. */
function reveal(name: string): Promise<string> {
  return inProcess(home, (app) => app.keys.reveal(name, undefined, "cli reveal"), eitherKey());
}

/** What `current` prints once a run has finished, in process. */
function activeSecret(): Promise<string> {
  return inProcess(home, async (app) => (await app.active()).secret, eitherKey());
}

async function currentOrNull(o: RunOptions): Promise<string | null> {
  const r = await runCli(["current"], o);
  return r.code === 0 ? r.stdout.trim() : null;
}

/** Wall time of one complete run, to spread the kill delays over. */
async function measure(args: string[], o: RunOptions): Promise<number> {
  const started = performance.now();
  const r = await runCli(args, o);
  expect(r.code, r.stderr).toBe(0);
  return performance.now() - started;
}

describe("SIGKILL during rotate", () => {
  it("always leaves exactly one live key of that name, old or new, and loses nothing", async () => {
    const random = seededRandom(SEED);
    let held = fakeApiKey("CRASH_0");
    const span = await measure(["rotate", "--no-validate", "--grace", "2h", "work"], {
      ...opts,
      stdin: fakeApiKey("CRASH_WARMUP"),
    });
    held = fakeApiKey("CRASH_WARMUP");
    let killedMidway = 0;
    let killedAfterCommit = 0;
    for (let i = 1; i <= ROUNDS; i++) {
      const next = fakeApiKey(`CRASH_${i}`);
      const delay = killDelay(random, span, i);
      const run = await runAndKill(
        ["rotate", "--no-validate", "--grace", "2h", "work"],
        { ...opts, stdin: next },
        delay,
      );
      if (run.killed) killedMidway++;
      const context = `seed ${SEED}, round ${i}, kill after ${delay} ms (killed: ${run.killed})`;

      const live = (await listedKeys(home)).filter((k) => k.name === "work" && k.status !== "rotated");
      expect(live, context).toHaveLength(1);
      expect(live[0]?.active, context).toBe(true);
      const now = await currentOrNull(opts);
      expect([held, next], context).toContain(now);
      if (run.killed && now === next) killedAfterCommit++;
      // Running it again converges on the new key, whatever the kill left.
      const again = await runCli(["--json", "rotate", "--no-validate", "--grace", "2h", "work"], {
        ...opts,
        stdin: next,
      });
      expect(again.code, `${context}\n${again.stderr}`).toBe(0);
      expect(await activeSecret(), context).toBe(next);
      held = next;
    }
    // Every key, rotated ones included, is still there and decrypts.
    const keys = await listedKeys(home);
    expect(keys.filter((k) => k.name === "work")).toHaveLength(ROUNDS + 2);
    expect(await reveal("other")).toBe(fakeApiKey("CRASH_OTHER"));
    console.info(
      `rotate: ${killedMidway}/${ROUNDS} runs killed, ${killedAfterCommit} of them after the commit (full run ${Math.round(span)} ms)`,
    );
  }, 120_000);
});

describe("SIGKILL during rekey", () => {
  it("always leaves a store that opens with the old master key or the new one", async () => {
    const random = seededRandom(SEED + 1);
    const withEnv: RunOptions = { ...opts, env: { APIKEY_MASTER_KEY: TEST_MASTER_KEY } };
    const noEnv: RunOptions = { ...opts, env: { APIKEY_MASTER_KEY: undefined } };
    // `status --json`'s kekProvider: status reads the slots and unlocks nothing.
    const provider = async () => inProcess(home, async (app) => (await app.status()).kekProvider);

    // env → key file → env, measured, so the store starts and ends each round on a known provider.
    const span = Math.max(
      await measure(["rekey", "--to", "keyfile"], withEnv),
      await measure(["rekey", "--to", "env"], withEnv),
    );
    const expected = await activeSecret();
    expect(expected).not.toBeNull();
    let killedMidway = 0;
    let killedAfterCommit = 0;
    for (let i = 1; i <= ROUNDS; i++) {
      const from = await provider();
      const to = from === "env" ? "keyfile" : "env";
      const delay = killDelay(random, span, i);
      const run = await runAndKill(["rekey", "--to", to], withEnv, delay);
      if (run.killed) killedMidway++;
      const context = `seed ${SEED + 1}, round ${i}, ${from} → ${to}, kill after ${delay} ms (killed: ${run.killed})`;

      const now = await provider();
      expect([from, to], context).toContain(now);
      if (run.killed && now === to) killedAfterCommit++;
      // A key-file store must open from the file alone; an env store with APIKEY_MASTER_KEY.
      expect(await currentOrNull(now === "keyfile" ? noEnv : withEnv), context).toBe(expected);
      if (!run.killed) expect(run.code, `${context}\n${run.stderr}`).toBe(0);
    }
    expect(await reveal("other")).toBe(fakeApiKey("CRASH_OTHER"));
    console.info(
      `rekey: ${killedMidway}/${ROUNDS} runs killed, ${killedAfterCommit} of them after the commit (full run ${Math.round(span)} ms)`,
    );
  }, 120_000);
});
