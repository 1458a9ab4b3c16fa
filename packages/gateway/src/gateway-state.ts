import { isApikeyError, reservations } from "@apikey/core";
import { activeKeys } from "./active-key.ts";
import type { Budgets } from "./admission.ts";
import { freshness } from "./freshness.ts";
import type { GatewaySettings } from "./options.ts";
import { usageRecorder } from "./recorder.ts";
import { spendCache } from "./spend-cache.ts";
import { tokenTable } from "./token-table.ts";
import { journalRecorder } from "./usage-journal.ts";

// What the gateway keeps between requests: gateway tokens, active keys and spend, cached in memory and dropped
// together whenever another process commits to the store; and how usage is recorded: the journal folded into the
// store a moment later when the front gives it a directory (usage-journal.ts), else the group commit (recorder.ts).

export type GatewayState = Awaited<ReturnType<typeof gatewayState>>;

export async function gatewayState({ core, now, refreshMs, warn, usageJournal }: GatewaySettings) {
  const store = core.store;
  const onRecordError = (err: unknown) =>
    warn(`warning: usage not recorded: ${isApikeyError(err) ? err.code : "store error"}`);
  const journal = usageJournal === null ? null : journalRecorder(store, usageJournal, now, onRecordError);
  const recorder = journal ?? usageRecorder(store, now, onRecordError);
  // Usage journaled and not yet folded is spent all the same: taken before the read, so a fold that lands while
  // it runs is counted twice for a moment (on the budget's side), never missed.
  const unfolded = (id: string) => journal?.unfolded(id) ?? 0;
  const tokens = tokenTable(store, await core.tokenHasher());
  const keys = activeKeys(core, refreshMs);
  const budgets: Budgets = {
    // Recorded or reported, whichever is larger (core's rule). Costs recorded here are added on top of that figure
    // until the next read: when the report led, that over-counts for at most refreshMs, on the side of the budget.
    keys: spendCache(
      async (w, keyId) => {
        const notFolded = unfolded(keyId);
        return (await core.keySpend(w, keyId)) + notFolded;
      },
      now,
      refreshMs,
    ),
    tokens: spendCache(
      async (w, tokenId) => {
        const notFolded = unfolded(tokenId);
        return ((await store.usage.spendByToken({ ...w, tokenId }))[0]?.costUsd ?? 0) + notFolded;
      },
      now,
      refreshMs,
    ),
    held: reservations(),
    onError: (err: unknown) =>
      warn(`warning: budget check failed: ${isApikeyError(err) ? err.code : "store error"}`),
  };
  const fresh = freshness(store, refreshMs, () => {
    tokens.invalidate();
    keys.invalidate();
    budgets.keys.invalidate();
    budgets.tokens.invalidate();
  });
  // Journals a gateway killed before folding left behind are folded before this one takes requests.
  // Routine, so not announced (a line on stderr would also break `--json`'s error output).
  await journal?.recover();
  return { tokens, keys, budgets, fresh, recorder };
}
