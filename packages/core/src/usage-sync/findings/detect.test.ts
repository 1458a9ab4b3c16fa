import { describe, expect, it } from "vitest";
import type { ReportedBucket } from "../port.ts";
import { describeFinding } from "./describe.ts";
import { reportedOverBudget, unknownOrgKeys, usedAfterRetired, usedOutsideGateway } from "./detect.ts";
import { countByKind } from "./kinds.ts";

const H = 3_600_000;
const T0 = Date.parse("2026-12-01T00:00:00Z");
const at = (hours: number, minutes = 0) => new Date(T0 + hours * H + minutes * 60_000);
const key = { id: "k1", name: "deploy", profile: "prod" };
const bucket = (over: Partial<ReportedBucket>): ReportedBucket => ({
  org: "org-a",
  orgKeyId: "apikey_1",
  keyId: "k1",
  bucketStart: at(0),
  bucketMinutes: 60,
  tokens: 100,
  costUsd: 0.5,
  ...over,
});

describe("issue 24: used-after-retired", () => {
  it("takes only buckets that start after the moment, one finding per retirement with a stable id", () => {
    const buckets = [
      bucket({ bucketStart: at(9) }), // the hour the key was rotated in: it starts before the moment
      bucket({ bucketStart: at(10, 21), bucketMinutes: 1 }),
      bucket({ bucketStart: at(11) }),
      bucket({ bucketStart: at(12), keyId: "other" }),
      bucket({ bucketStart: at(13), tokens: 0 }),
    ];
    const retired = { key, retired: "rotated" as const, at: at(10, 20) };
    const [f, ...rest] = usedAfterRetired([retired], buckets);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      kind: "used-after-retired",
      id: "used-after-retired:k1:2026-12-01T10:20:00.000Z",
      firstUsedAt: at(10, 21),
      lastUsedAt: at(11),
      tokens: 200,
      costUsd: 1,
      orgKeyIds: ["apikey_1"],
    });
    // The same data, read again, gives the same id; in another order too.
    expect(usedAfterRetired([retired], [...buckets].reverse())[0]?.id).toBe(f?.id);
    expect(usedAfterRetired([{ ...retired, at: at(11, 30) }], buckets)).toEqual([]);
    expect(describeFinding(f as NonNullable<typeof f>)).toContain('Key "prod/deploy" was rotated');
  });

  it("a deleted key is named by its id", () => {
    const deleted = {
      key: { id: "gone", name: null, profile: null },
      retired: "deleted" as const,
      at: at(1),
    };
    const [f] = usedAfterRetired([deleted], [bucket({ keyId: "gone", bucketStart: at(2) })]);
    expect(f && describeFinding(f)).toContain("(deleted key gone) was deleted");
  });
});

describe("issue 24: used-outside-gateway", () => {
  it("flags hours with reported and no recorded usage, grouped per key and UTC day, after the profile was marked", () => {
    const buckets = [
      bucket({ bucketStart: at(1) }), // before the mark
      bucket({ bucketStart: at(5) }), // recorded too
      bucket({ bucketStart: at(6, 5), bucketMinutes: 1 }),
      bucket({ bucketStart: at(6, 7), bucketMinutes: 1 }),
      bucket({ bucketStart: at(7) }),
      bucket({ bucketStart: at(25) }), // the next day
    ];
    const recorded = [{ keyId: "k1", hour: at(5) }];
    const found = usedOutsideGateway([{ key, since: at(2) }], buckets, recorded);
    expect(found).toEqual([
      expect.objectContaining({
        id: "used-outside-gateway:k1:2026-12-01",
        hours: [at(6), at(7)],
        tokens: 300,
        costUsd: 1.5,
      }),
      expect.objectContaining({ id: "used-outside-gateway:k1:2026-12-02", hours: [at(25)] }),
    ]);
    expect(usedOutsideGateway([], buckets, recorded)).toEqual([]);
  });
});

describe("issue 24: used-outside-gateway near an hour boundary", () => {
  // An hour with recorded usage, known down to its first and last request.
  const rec = (hour: number, first: [number, number], last: [number, number]) => ({
    keyId: "k1",
    hour: at(hour),
    first: at(...first),
    last: at(...last),
  });
  const since = at(0);

  it("a stream recorded just after the hour explains usage reported just before it (minute and hour buckets)", () => {
    const recorded = [rec(11, [11, 0], [11, 4])];
    expect(
      usedOutsideGateway([{ key, since }], [bucket({ bucketStart: at(10, 58), bucketMinutes: 1 })], recorded),
    ).toEqual([]);
    expect(usedOutsideGateway([{ key, since }], [bucket({ bucketStart: at(10) })], recorded)).toEqual([]);
  });

  it("and one recorded just before the hour explains usage reported just after it", () => {
    const recorded = [rec(9, [9, 30], [9, 55])];
    expect(
      usedOutsideGateway([{ key, since }], [bucket({ bucketStart: at(10, 3), bucketMinutes: 1 })], recorded),
    ).toEqual([]);
  });

  it("past the tolerance (10 minutes) it does not: usage with nothing recorded near it is a finding", () => {
    const recorded = [rec(11, [11, 12], [11, 40]), rec(9, [9, 5], [9, 49])];
    const found = usedOutsideGateway(
      [{ key, since }],
      [bucket({ bucketStart: at(10, 58), bucketMinutes: 1 }), bucket({ bucketStart: at(10) })],
      recorded,
    );
    expect(found).toEqual([expect.objectContaining({ hours: [at(10)] })]);
    // In the middle of an hour, the next hour's first request is no excuse.
    expect(
      usedOutsideGateway(
        [{ key, since }],
        [bucket({ bucketStart: at(10, 30), bucketMinutes: 1 })],
        [rec(11, [11, 0], [11, 1])],
      ),
    ).toHaveLength(1);
  });
});

describe("issue 24: unknown-org-key and reported-over-budget", () => {
  it("lists active organization keys no stored key is linked to", () => {
    const snapshot = {
      listedAt: at(0).toISOString(),
      keys: [
        { id: "apikey_1", name: "ci", status: "active", hint: "sk-ant-api03-R2D...igAA", keyId: null },
        { id: "apikey_2", name: "old", status: "inactive", hint: null, keyId: null },
        { id: "apikey_3", name: "mine", status: "active", hint: null, keyId: "k1" },
      ],
    };
    const found = unknownOrgKeys("org-a", snapshot);
    expect(found).toEqual([
      {
        kind: "unknown-org-key",
        id: "unknown-org-key:org-a:apikey_1",
        org: "org-a",
        orgKeyId: "apikey_1",
        name: "ci",
        hint: "sk-ant-api03-R2D...igAA",
      },
    ]);
    expect(unknownOrgKeys("org-a", null)).toEqual([]);
    expect(countByKind(found)).toEqual({
      "used-after-retired": 0,
      "used-outside-gateway": 0,
      "unknown-org-key": 1,
      "reported-over-budget": 0,
    });
  });

  it("flags a key whose reported month spend is strictly past its budget, whatever was recorded", () => {
    const keys = [
      { key, budgetUsd: 10 },
      { key: { ...key, id: "k2" }, budgetUsd: 10 },
      { key: { ...key, id: "k3" }, budgetUsd: 10 },
    ];
    const reported = new Map([
      ["k1", 10.01],
      ["k2", 10],
    ]);
    const recorded = new Map([
      ["k1", 2],
      ["k3", 50],
    ]);
    const found = reportedOverBudget(keys, reported, recorded, "2026-12");
    expect(found).toEqual([
      {
        kind: "reported-over-budget",
        id: "reported-over-budget:k1:2026-12",
        key,
        month: "2026-12",
        budgetUsd: 10,
        reportedUsd: 10.01,
        recordedUsd: 2,
      },
    ]);
    expect(describeFinding(found[0] as (typeof found)[number])).toContain("$10.01 in 2026-12");
  });
});
