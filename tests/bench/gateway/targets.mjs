// Issue 25's gateway targets, each against the floor measured in the same run (node:http + undici passing requests
// through and doing nothing else: the limit of any Node gateway on this machine, see node-floor.mjs). Issue 10's
// absolute targets were dropped: two of them were below what the floor itself reaches on 2 shared cores.

/** The allowances over the floor, as issue 25 item 2 states them. */
export const OVER_FLOOR = {
  throughputRatio: 0.95, // max throughput (0 ms upstream) ≥ 0.95× the floor's
  addedP50Us: 150, // added p50 at the fixed rate ≤ the floor's added p50 + 0.15 ms
  addedTtfbUs: 50, // first streamed byte (added) ≤ the floor's + 0.05 ms
  slowRatioDrop: 0.01, // 50 ms upstream: ratio to direct ≥ the floor's ratio − 0.01
  p99Us: 1000, // p99 at the fixed rate ≤ the floor's p99 + 1 ms
  vsPortkey: 10, // Portkey stays ≥ 10× behind in max throughput
};

/**
 * Whether the floor held the offered rate in this run. When it did not, the machine set every figure, not the
 * gateway (session 7 saw the floor's own added p50 go from 0.37 ms to 253 ms between two runs under load), and no
 * target is judged: the floor completed fewer than `rateRatio` of the requests offered per second, could not start
 * some (the in-flight cap), or queued them (its added p50 over `maxAddedP50Us`; a pass-through adds ~0.3 ms).
 */
export const FLOOR_HOLDS = { rateRatio: 0.95, maxAddedP50Us: 5000 };

const ms = (us) => `${(us / 1000).toFixed(3)} ms`;
const rps = (v) => `${Math.round(v).toLocaleString("en")}/s`;

/** Why the floor could not hold the offered rate in this run, or null when it could. */
export function floorSaturation(result) {
  const { rate } = result.settings;
  const floor = result.fixedRate.floor;
  const reasons = [];
  if (!(floor.achievedRate >= FLOOR_HOLDS.rateRatio * rate))
    reasons.push(`${rps(floor.achievedRate)} of ${rps(rate)} offered`);
  if (floor.skipped > 0) reasons.push(`${floor.skipped} requests not sent`);
  if (!(result.added.floor.p50Us <= FLOOR_HOLDS.maxAddedP50Us))
    reasons.push(`its added p50 ${ms(result.added.floor.p50Us)} > ${ms(FLOOR_HOLDS.maxAddedP50Us)}`);
  return reasons.length > 0 ? reasons.join(", ") : null;
}

/**
 * Every target for gateway `name` (apikey, or the baseline build): its figure, the floor's from the same run, the
 * limit that follows, and whether it is met.
 */
export function judgeAgainstFloor(result, name) {
  const { fixedRate, added, throughput, throughputSlow50ms: slow } = result;
  const slowRatio = (n) => slow[n].reqPerSec / slow.direct.reqPerSec;
  const rows = [
    {
      id: "throughput",
      what: "max throughput (0 ms upstream)",
      value: throughput[name].reqPerSec,
      floor: throughput.floor.reqPerSec,
      limit: OVER_FLOOR.throughputRatio * throughput.floor.reqPerSec,
      higherIsBetter: true,
      show: rps,
      rule: `≥ ${OVER_FLOOR.throughputRatio}× floor`,
    },
    {
      id: "addedP50",
      what: `added p50 @ ${result.settings.rate}/s`,
      value: added[name].p50Us,
      floor: added.floor.p50Us,
      limit: added.floor.p50Us + OVER_FLOOR.addedP50Us,
      show: ms,
      rule: `≤ floor + ${ms(OVER_FLOOR.addedP50Us)}`,
    },
    {
      id: "addedTtfb",
      what: "first streamed byte p50 (added)",
      value: added[name].ttfbP50Us,
      floor: added.floor.ttfbP50Us,
      limit: added.floor.ttfbP50Us + OVER_FLOOR.addedTtfbUs,
      show: ms,
      rule: `≤ floor + ${ms(OVER_FLOOR.addedTtfbUs)}`,
    },
    {
      id: "slowVsDirect",
      what: "50 ms upstream, ratio to direct",
      value: slowRatio(name),
      floor: slowRatio("floor"),
      limit: slowRatio("floor") - OVER_FLOOR.slowRatioDrop,
      higherIsBetter: true,
      show: (v) => `${v.toFixed(3)}×`,
      rule: `≥ floor − ${OVER_FLOOR.slowRatioDrop}`,
    },
    {
      id: "p99",
      what: `p99 @ ${result.settings.rate}/s`,
      value: fixedRate[name].p99Us,
      floor: fixedRate.floor.p99Us,
      limit: fixedRate.floor.p99Us + OVER_FLOOR.p99Us,
      show: ms,
      rule: `≤ floor + ${ms(OVER_FLOOR.p99Us)}`,
    },
    {
      id: "vsPortkey",
      what: "max throughput, times Portkey's",
      value: throughput[name].reqPerSec / throughput.portkey.reqPerSec,
      floor: throughput.floor.reqPerSec / throughput.portkey.reqPerSec,
      limit: OVER_FLOOR.vsPortkey,
      higherIsBetter: true,
      show: (v) => `${v.toFixed(1)}×`,
      rule: `≥ ${OVER_FLOOR.vsPortkey}×`,
    },
  ];
  const saturated = floorSaturation(result);
  return Object.fromEntries(
    rows.map((r) => [
      r.id,
      {
        what: r.what,
        rule: r.rule,
        value: r.value,
        floor: r.floor,
        limit: r.limit,
        // null: not judged, and `notJudged` says why.
        met:
          saturated === null
            ? Number.isFinite(r.value) && (r.higherIsBetter ? r.value >= r.limit : r.value <= r.limit)
            : null,
        ...(saturated !== null && { notJudged: `floor saturated: ${saturated}` }),
        text: `${r.show(r.value)} (floor ${r.show(r.floor)}, limit ${r.show(r.limit)})`,
      },
    ]),
  );
}

/**
 * The lines tests/bench/all.mjs reads: one per target, with "target" and met / NOT met / not judged. A baseline's figures are
 * printed beside, without a verdict of their own (they are not what is judged).
 */
export function targetLines(verdicts, baseline) {
  return Object.entries(verdicts).map(([id, v]) => {
    const besides = baseline ? `; baseline ${baseline[id].text.split(" (")[0]}` : "";
    const verdict = v.met === null ? `not judged (${v.notJudged})` : v.met ? "met" : "NOT met";
    return `target ${v.what} ${v.rule}: apikey ${v.text} — ${verdict}${besides}`;
  });
}
