import type { RecordedSide, ReportedSide, SideBySideRow } from "./side-by-side.ts";

// How every front reads a side-by-side row (issue 24): whom it is about, what apikey did not see, and the totals
// of the rows a person may see. The CLI, the Slack bot and Raycast each render these; none recomputes them.

/** Whom a row is about: a stored key, the Console's Workbench (no key at all), or organization keys the store lacks. */
export type ReportedSubject =
  | { kind: "key"; keyId: string }
  | { kind: "workbench" }
  | { kind: "unknown"; orgKeyIds: string[] };

export function subjectOf(row: Pick<SideBySideRow, "keyId" | "orgKeyIds">): ReportedSubject {
  if (row.keyId !== null) return { kind: "key", keyId: row.keyId };
  // Workbench usage is reported with a null api_key_id, stored as "".
  if (row.orgKeyIds.includes("")) return { kind: "workbench" };
  return { kind: "unknown", orgKeyIds: [...row.orgKeyIds] };
}

/**
 * What Anthropic reported beyond what apikey recorded, never below zero: recording more than the report shows
 * happens only while the report lags by minutes, and is not spend anyone missed.
 */
export function notRecordedUsd(row: Pick<SideBySideRow, "differenceUsd">): number {
  return Math.max(0, row.differenceUsd);
}

/** Tokens as the fronts show them side by side: input plus output (cache tokens are priced, not counted here). */
export function shownTokens(side: Pick<RecordedSide, "inputTokens" | "outputTokens"> | null): number | null {
  return side === null ? null : side.inputTokens + side.outputTokens;
}

export interface SideBySideTotals {
  recorded: RecordedSide;
  reported: ReportedSide;
  differenceUsd: number;
  notRecordedUsd: number;
}

const RECORDED_ZERO: RecordedSide = {
  requests: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
  costUsd: 0,
};
const REPORTED_ZERO: ReportedSide = {
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
  webSearchRequests: 0,
  costUsd: 0,
  unpricedRows: 0,
};

function sum<T extends object>(zero: T, sides: ReadonlyArray<T | null>): T {
  const out: Record<string, number> = { ...(zero as Record<string, number>) };
  for (const side of sides) {
    if (side === null) continue;
    for (const field of Object.keys(out))
      out[field] = (out[field] ?? 0) + ((side as Record<string, number>)[field] ?? 0);
  }
  return out as T;
}

/** The totals of the rows given (those a person may see, when a front filters them). */
export function sideBySideTotals(rows: readonly SideBySideRow[]): SideBySideTotals {
  const recorded = sum(
    RECORDED_ZERO,
    rows.map((r) => r.recorded),
  );
  const reported = sum(
    REPORTED_ZERO,
    rows.map((r) => r.reported),
  );
  return {
    recorded,
    reported,
    differenceUsd: reported.costUsd - recorded.costUsd,
    // Per row, then summed: one key's lag does not hide another key's unseen spend.
    notRecordedUsd: rows.reduce((n, r) => n + notRecordedUsd(r), 0),
  };
}
