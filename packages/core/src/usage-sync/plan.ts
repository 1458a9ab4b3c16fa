// Which windows a sync asks for, decided from the clock and the cursor alone (pure). Hourly buckets for the past,
// minute buckets for the recent hours — Anthropic's report lags by minutes, so the recent hours are fetched again
// on every sync at minute grain (a finding shows minutes after the fact), and settle into hours once older.

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** How far back minute buckets reach: past this, an hour is taken as final. */
export const RECENT_MS = 2 * HOUR;
export const DEFAULT_SINCE_MS = 30 * 24 * HOUR;

export interface SyncWindow {
  width: "1h" | "1m";
  from: Date;
  until: Date;
}

export interface PlanInput {
  /** Where the last sync's settled hours end; null before the first sync. */
  cursor: Date | null;
  /** Where to start when the person asked (it overrides the cursor), or null. */
  since: Date | null;
  now: Date;
}

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;

export function planSync({ cursor, since, now }: PlanInput): SyncWindow[] {
  const start = since?.getTime() ?? cursor?.getTime() ?? now.getTime() - DEFAULT_SINCE_MS;
  const recent = floorTo(now.getTime() - RECENT_MS, HOUR);
  const end = floorTo(now.getTime(), MINUTE);
  const windows: SyncWindow[] = [];
  const hourFrom = floorTo(start, HOUR);
  if (hourFrom < recent) windows.push({ width: "1h", from: new Date(hourFrom), until: new Date(recent) });
  const minuteFrom = Math.max(recent, floorTo(start, MINUTE));
  if (minuteFrom < end) windows.push({ width: "1m", from: new Date(minuteFrom), until: new Date(end) });
  return windows;
}
