// Vendored from packages/core/src/usage/record.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { shouldRecordUse } from "../active/last-used.ts";
import type { Store } from "../store.ts";
import { COUNTER_KEYS, type Counts, invalidCounter, refusalReason, ZERO_COUNTS } from "./counts.ts";
import type { UsageEvent } from "./port.ts";
import { costOf, DEFAULT_PRICES, type PriceTable } from "./prices.ts";

/** What a front knows about one finished request. */
export interface UsageInput extends Counts {
  keyId: string;
  /** When the response ended; defaults to `now`. */
  at?: Date;
  model: string;
  requestId: string | null;
  /** Who saw the request: `gateway`, `client`, `cli`, … */
  front: string;
  /** The gateway token the request came with. */
  tokenId?: string | null;
  /**
   * Set when the front found the upstream's figures out of range (see counts.ts): the event is recorded with no
   * tokens and no cost, and the front tells the person why.
   */
  refused?: string | null;
}

/**
 * Why an input's figures cannot be believed, or null. The fronts check where the figures enter; this repeats the
 * check for any caller that did not, so no path can store a count or cost the sums cannot hold.
 */
export function usageRefusal(input: UsageInput): string | null {
  if (input.refused) return input.refused;
  const field = invalidCounter(input);
  return field === null ? null : refusalReason(field);
}

export function toEvent(
  input: UsageInput,
  now: Date,
  prices: PriceTable = DEFAULT_PRICES,
): Omit<UsageEvent, "id"> {
  const refused = usageRefusal(input) !== null;
  // Built in place, field by field: the bulk ingest makes one per event, and spreading intermediate objects was a
  // fifth of its time (issue 25).
  const event = { keyId: input.keyId, at: input.at ?? now, model: input.model } as Omit<UsageEvent, "id">;
  const counts = refused ? ZERO_COUNTS : input;
  for (const k of COUNTER_KEYS) event[k] = counts[k];
  const cost = refused ? null : costOf(event, prices);
  // Bounded counts keep any real price finite; the check stays so a price table can never store Infinity.
  event.costUsd = cost !== null && Number.isFinite(cost) ? cost : null;
  event.requestId = input.requestId;
  event.front = input.front;
  if (input.tokenId) event.tokenId = input.tokenId;
  return event;
}

/** Records one request and moves the key's last-used time, in one transaction. */
export async function recordUsage(
  store: Store,
  input: UsageInput,
  now: Date = new Date(),
): Promise<UsageEvent> {
  const event = toEvent(input, now);
  const id = await store.transaction(async (tx) => {
    const id = await tx.usage.record(event);
    await touch(tx, event.keyId, event.at);
    if (event.tokenId) await tx.tokens.touchLastUsed(event.tokenId, event.at);
    return id;
  });
  return { id, ...event };
}

/**
 * What a long-running recorder remembers of the last-used times it wrote (ms since the epoch, by key or token id),
 * so it writes each at most once a minute (LAST_USED_RESOLUTION_MS), as `apikey current` does: at a thousand
 * requests a second, rewriting the same two rows in every commit would double the pages each commit writes.
 */
export interface LastUsedMemory {
  keys: Map<string, number>;
  tokens: Map<string, number>;
}

export const lastUsedMemory = (): LastUsedMemory => ({ keys: new Map(), tokens: new Map() });

/**
 * The bulk path: every event and each key's (and token's) last-used time in one transaction. Returns the count.
 * With `memory`, a last-used time written less than a minute before is not written again.
 */
export async function recordUsageMany(
  store: Store,
  inputs: UsageInput[],
  now: Date = new Date(),
  memory?: LastUsedMemory,
): Promise<number> {
  return recordEventsMany(
    store,
    inputs.map((i) => toEvent(i, now)),
    memory,
  );
}

/**
 * The same for events already made by `toEvent` (a recorder that shows each event before it is committed makes
 * it once, not twice).
 */
export async function recordEventsMany(
  store: Store,
  events: Array<Omit<UsageEvent, "id">>,
  memory?: LastUsedMemory,
): Promise<number> {
  if (events.length === 0) return 0;
  const lastUsed = new Map<string, Date>();
  const tokenUsed = new Map<string, Date>();
  for (const e of events) {
    const seen = lastUsed.get(e.keyId);
    if (!seen || e.at > seen) lastUsed.set(e.keyId, e.at);
    if (e.tokenId) {
      const t = tokenUsed.get(e.tokenId);
      if (!t || e.at > t) tokenUsed.set(e.tokenId, e.at);
    }
  }
  if (memory) {
    forgetRecent(lastUsed, memory.keys);
    forgetRecent(tokenUsed, memory.tokens);
  }
  await store.transaction(async (tx) => {
    await tx.usage.recordMany(events);
    for (const [keyId, at] of lastUsed) await touch(tx, keyId, at);
    for (const [tokenId, at] of tokenUsed) await tx.tokens.touchLastUsed(tokenId, at);
  });
  // Only once committed: a rolled-back batch must not stop the next one from writing these.
  if (memory) {
    for (const [id, at] of lastUsed) memory.keys.set(id, at.getTime());
    for (const [id, at] of tokenUsed) memory.tokens.set(id, at.getTime());
  }
  return events.length;
}

/** Drops from `due` what `written` says was written within the last-used resolution. */
function forgetRecent(due: Map<string, Date>, written: Map<string, number>): void {
  for (const [id, at] of due) {
    if (!shouldRecordUse(written.get(id) ?? null, at.getTime())) due.delete(id);
  }
}

// Last-used only moves forward: a late or back-dated event must not make a key look idle longer than it is.
function touch(tx: Store, keyId: string, at: Date): Promise<void> {
  return tx.keys.touchLastUsed(keyId, at);
}
