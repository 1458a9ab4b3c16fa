// Vendored from packages/core/src/property-seed.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Property tests across the workspace draw their cases from one small seeded generator and take their seed from one
// variable, so any failure replays the same way: APIKEY_TEST_SEED=<the printed seed>.

export const TEST_SEED_VARIABLE = "APIKEY_TEST_SEED";

/** mulberry32: small, fast and seedable; good enough to pick sizes, bytes and cases (not for anything secret). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The seed a property test runs with: APIKEY_TEST_SEED when set, else `fallback`; printed so a failure replays. */
export function propertySeed(name: string, fallback: number): number {
  const given = process.env[TEST_SEED_VARIABLE];
  const seed = given === undefined || given.trim() === "" ? fallback : Number(given);
  if (!Number.isSafeInteger(seed))
    throw new Error(`${TEST_SEED_VARIABLE} must be a whole number, not ${given}`);
  console.log(`${name}: seed ${seed} (set ${TEST_SEED_VARIABLE}=${seed} to replay)`);
  return seed;
}
