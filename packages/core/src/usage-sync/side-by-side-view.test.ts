import { describe, expect, it } from "vitest";
import type { SideBySideRow } from "./side-by-side.ts";
import { notRecordedUsd, shownTokens, sideBySideTotals, subjectOf } from "./side-by-side-view.ts";

const recorded = (costUsd: number, inputTokens = 100, outputTokens = 10) => ({
  requests: 1,
  inputTokens,
  outputTokens,
  cacheCreationTokens: 1,
  cacheReadTokens: 2,
  costUsd,
});
const reported = (costUsd: number, inputTokens = 100, outputTokens = 10) => ({
  inputTokens,
  outputTokens,
  cacheCreationTokens: 3,
  cacheReadTokens: 4,
  webSearchRequests: 1,
  costUsd,
  unpricedRows: 0,
});
const row = (r: Partial<SideBySideRow>): SideBySideRow => {
  const base = { keyId: null, orgKeyIds: [], recorded: null, reported: null, ...r };
  return { ...base, differenceUsd: (base.reported?.costUsd ?? 0) - (base.recorded?.costUsd ?? 0) };
};

describe("issue 24: the side-by-side view every front renders", () => {
  it("says whom a row is about: a stored key, the Workbench, or organization keys the store lacks", () => {
    expect(subjectOf(row({ keyId: "k1", orgKeyIds: ["apikey_1"] }))).toEqual({ kind: "key", keyId: "k1" });
    expect(subjectOf(row({ orgKeyIds: [""] }))).toEqual({ kind: "workbench" });
    expect(subjectOf(row({ orgKeyIds: ["apikey_9", "apikey_8"] }))).toEqual({
      kind: "unknown",
      orgKeyIds: ["apikey_9", "apikey_8"],
    });
  });

  it("not recorded is what the report shows beyond the record, never negative (a lagging report)", () => {
    expect(notRecordedUsd(row({ recorded: recorded(1), reported: reported(3.5) }))).toBe(2.5);
    expect(notRecordedUsd(row({ recorded: recorded(2), reported: reported(1) }))).toBe(0);
    expect(notRecordedUsd(row({ reported: reported(0.004) }))).toBe(0.004);
    expect(notRecordedUsd(row({ recorded: recorded(1) }))).toBe(0);
  });

  it("shows input plus output tokens, and nothing for a side without figures", () => {
    expect(shownTokens(recorded(0, 1200, 34))).toBe(1234);
    expect(shownTokens(null)).toBeNull();
  });

  it("totals sum each side and add the per-row unseen spend (one key's lag hides no other key's)", () => {
    const rows = [
      row({ keyId: "a", recorded: recorded(5), reported: reported(1) }),
      row({ keyId: "b", reported: reported(2, 50, 5) }),
      row({ orgKeyIds: [""], reported: reported(0.5) }),
    ];
    const t = sideBySideTotals(rows);
    expect(t.recorded).toEqual(recorded(5));
    expect(t.reported).toEqual({
      inputTokens: 250,
      outputTokens: 25,
      cacheCreationTokens: 9,
      cacheReadTokens: 12,
      webSearchRequests: 3,
      costUsd: 3.5,
      unpricedRows: 0,
    });
    expect(t.differenceUsd).toBe(-1.5);
    expect(t.notRecordedUsd).toBe(2.5);
    expect(sideBySideTotals([]).notRecordedUsd).toBe(0);
  });
});
