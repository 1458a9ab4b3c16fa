import { describe, expect, it } from "vitest";

// Issue 25 item 2: the gateway bench judges each target against the floor (node:http + undici doing nothing)
// measured in the same run. When the floor itself could not hold the offered rate, the machine set the figures and
// no target is judged: the bench prints "not judged (floor saturated: …)" instead of met / NOT met (session 7 saw
// the floor's own added p50 go from 0.37 ms to 253 ms between two runs under load).

type Verdict = { met: boolean | null; notJudged?: string; text: string };
type Targets = {
  FLOOR_HOLDS: { rateRatio: number; maxAddedP50Us: number };
  judgeAgainstFloor(result: unknown, name: string): Record<string, Verdict>;
  targetLines(verdicts: Record<string, Verdict>): string[];
};
// A plain .mjs module of the bench, loaded as the bench loads it.
const targetsPath = "../bench/gateway/targets.mjs";
const { FLOOR_HOLDS, judgeAgainstFloor, targetLines } = (await import(targetsPath)) as Targets;

/** One run's figures: the floor's fixed-rate round as given, apikey 0.1 ms behind it everywhere. */
function run(
  floor: { achievedRate?: number; skipped?: number; addedP50Us?: number } = {},
  apikeyExtraUs = 100,
) {
  const added = floor.addedP50Us ?? 370;
  return {
    settings: { rate: 1000 },
    fixedRate: {
      direct: { p50Us: 500, p99Us: 2000, achievedRate: 1000, skipped: 0 },
      floor: {
        p50Us: 500 + added,
        p99Us: 3000,
        achievedRate: floor.achievedRate ?? 999,
        skipped: floor.skipped ?? 0,
      },
      apikey: {
        p50Us: 500 + added + apikeyExtraUs,
        p99Us: 3000 + apikeyExtraUs,
        achievedRate: 999,
        skipped: 0,
      },
    },
    added: {
      floor: { p50Us: added, ttfbP50Us: 200 },
      apikey: { p50Us: added + apikeyExtraUs, ttfbP50Us: 200 + apikeyExtraUs / 4 },
    },
    throughput: { floor: { reqPerSec: 9000 }, apikey: { reqPerSec: 8800 }, portkey: { reqPerSec: 600 } },
    throughputSlow50ms: {
      direct: { reqPerSec: 1200 },
      floor: { reqPerSec: 1190 },
      apikey: { reqPerSec: 1189 },
    },
  };
}

describe("issue 25: the gateway's targets are not judged when the floor could not hold the rate", () => {
  it("judges every target met or not when the floor held the offered rate", () => {
    const good = judgeAgainstFloor(run(), "apikey");
    expect(Object.values(good).map((v) => v.met)).toEqual([true, true, true, true, true, true]);
    const slow = judgeAgainstFloor(run({}, 2000), "apikey");
    expect(slow.addedP50?.met).toBe(false);
    expect(targetLines(slow).some((l) => l.endsWith("NOT met"))).toBe(true);
    expect(targetLines(slow).join("\n")).not.toContain("not judged");
  });

  it.each([
    ["completed fewer requests a second than offered", { achievedRate: 700 }, "700/s of 1,000/s offered"],
    ["could not start some (the in-flight cap)", { skipped: 12 }, "12 requests not sent"],
    ["queued them (session 7's 253 ms)", { addedP50Us: 253_000 }, "its added p50 253.000 ms > 5.000 ms"],
    ["never answered", { achievedRate: Number.NaN }, "NaN/s of 1,000/s offered"],
  ])("prints not judged when the floor %s", (_what, floor, reason) => {
    // apikey's own figures would pass and fail alike: neither verdict is printed.
    for (const extra of [0, 5000]) {
      const verdicts = judgeAgainstFloor(run(floor, extra), "apikey");
      expect(Object.values(verdicts).every((v) => v.met === null)).toBe(true);
      const lines = targetLines(verdicts);
      expect(lines).toHaveLength(6);
      for (const line of lines) {
        expect(line).toContain(`not judged (floor saturated: ${reason})`);
        expect(line).not.toMatch(/\bmet\b/);
      }
    }
  });

  it("draws the line where FLOOR_HOLDS says, and nowhere else", () => {
    const edge = FLOOR_HOLDS.rateRatio * 1000;
    expect(judgeAgainstFloor(run({ achievedRate: edge }), "apikey").throughput?.met).toBe(true);
    expect(judgeAgainstFloor(run({ achievedRate: edge - 1 }), "apikey").throughput?.met).toBeNull();
    const p50 = FLOOR_HOLDS.maxAddedP50Us;
    expect(judgeAgainstFloor(run({ addedP50Us: p50 }), "apikey").p99?.met).not.toBeNull();
    expect(judgeAgainstFloor(run({ addedP50Us: p50 + 1 }), "apikey").p99?.met).toBeNull();
  });
});
