import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, walkFiles } from "./walk.ts";

// Issue 21, test support: property tests had eleven copies of a seeded generator (three algorithms) and three
// variables to replay a seed (APIKEY_TEST_SEED, APIKEY_FUZZ_SEED, FUZZ_SEED). Now one home: property-seed.ts.
// The Raycast extension is built and tested on its own folder (the Store's way) and keeps its own small one.

const HOME = "packages/core/src/property-seed.ts";
const SELF = "packages/core/src/guards/property-seed.test.ts";
const SKIP_DIRS = ["dist", "vendor", ".build", "raycast"];
// A generator's tell-tale constants (mulberry32, an LCG, xorshift32), or a seed read from the environment.
const OWN_GENERATOR =
  /0x6d2b79f5|1664525|1103515245|\^= *\w+ *<< *13\b|process\.env\.\w*SEED\b|env\[["']\w*SEED["']\]/i;

describe("issue 21: one seeded generator and one seed variable for every property test", () => {
  it("no module but property-seed.ts writes its own generator or reads a seed variable", () => {
    const all = ["apps", "packages", "tests"].flatMap((top) =>
      walkFiles(join(ROOT, top), { skipDirs: SKIP_DIRS, include: /\.(m?[jt]sx?)$/ }),
    );
    expect(all.length).toBeGreaterThan(300);
    const offenders = all
      .map((f) => relative(ROOT, f))
      .filter((f) => f !== HOME && f !== SELF && OWN_GENERATOR.test(readFileSync(join(ROOT, f), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("the pattern finds each of the old spellings", () => {
    for (const spelling of [
      "a = (a + 0x6D2B79F5) >>> 0;",
      "state = (Math.imul(state, 1664525) + 1013904223) >>> 0;",
      "seed = (seed * 1103515245 + 12345) % 2 ** 31;",
      "x ^= x << 13;",
      "Number(process.env.FUZZ_SEED ?? 1)",
      "process.env.APIKEY_FUZZ_SEED",
      'process.env["APIKEY_TEST_SEED"]',
    ]) {
      expect(OWN_GENERATOR.test(spelling), spelling).toBe(true);
    }
  });
});
