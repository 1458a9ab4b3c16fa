import { keyFileSource, masterKeySource } from "@apikey/core";
import { describe, expect, it } from "vitest";
import {
  addKey,
  type CliResult,
  jsonError,
  makeHome,
  type RunOptions,
  TEST_MASTER_KEY,
} from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Several CLI processes creating one fresh store at the same moment (issue 12, item 12). Split out of
// concurrency.test.ts (same test names) so the suite's two workers share the concurrency tests.
// The racing adds are the subject and stay CLI processes; each added key is then read back in process (reveal, with
// the master key the CLI had: APIKEY_MASTER_KEY, or the key file the race left).

describe("several processes creating a fresh store at once", () => {
  // The race is timing-dependent; five rounds of four processes hit it nearly every run here.
  const ROUNDS = 5;
  const PROCESSES = 4;

  // Each process sees no store and makes a data key; only one can record it. The others lose the race, then write
  // into the store the winner created (issue 12, item 12: the loser waits and retries instead of E_STORE_BUSY).
  for (const [label, env, processes, rounds] of [
    ["APIKEY_MASTER_KEY", {}, PROCESSES, ROUNDS],
    ["key file (no master key, no keychain)", { APIKEY_MASTER_KEY: undefined }, PROCESSES, ROUNDS],
    ["item 12: 16 parallel first adds (APIKEY_MASTER_KEY)", {}, 16, 1],
  ] as const) {
    it(`${label}: every add succeeds and reads back`, async () => {
      const problems: string[] = [];
      for (let round = 0; round < rounds; round++) {
        const fresh = await makeHome();
        const run: RunOptions = { home: fresh, env, timeoutMs: 30_000 };
        try {
          const keys = Array.from({ length: processes }, (_, i) => fakeApiKey(`CONC_FRESH_R${round}_P${i}`));
          const results = await Promise.all(keys.map((k, i) => addKey(`p${i}`, k, run, ["--no-validate"])));
          results.forEach((r, i) => {
            if (r.code !== 0) problems.push(`round ${round} p${i}: exit ${r.code} ${errorCode(r)}`);
          });
          const added = results.flatMap((r, i) => (r.code === 0 ? [i] : []));
          if (added.length === 0) problems.push(`round ${round}: no process succeeded`);
          const master =
            "APIKEY_MASTER_KEY" in env ? keyFileSource(fresh.dataDir) : masterKeySource(TEST_MASTER_KEY);
          const readBack = await inProcess(
            fresh,
            async (app) => {
              // Whether each reads back, and why not: never the secret it read instead.
              const out: Array<[number, string | null]> = [];
              for (const i of added) {
                try {
                  const secret = await app.keys.reveal(`p${i}`, undefined, "cli reveal");
                  out.push([i, secret === keys[i] ? null : "another secret"]);
                } catch (err) {
                  out.push([i, String(err).slice(0, 200)]);
                }
              }
              return out;
            },
            [master],
          );
          for (const [i, why] of readBack) {
            if (why !== null) problems.push(`round ${round} p${i} was added but does not read back: ${why}`);
          }
        } finally {
          await fresh.cleanup();
        }
      }
      expect(problems).toEqual([]);
    }, 120_000);
  }
});

function errorCode(r: CliResult): string {
  try {
    return jsonError(r).code;
  } catch {
    return `(no JSON error) ${r.stderr.slice(0, 200)}`;
  }
}
