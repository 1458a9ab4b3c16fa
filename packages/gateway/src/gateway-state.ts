import { isApikeyError, reservations } from "@apikey/core";
import { activeKeys } from "./active-key.ts";
import type { Budgets } from "./admission.ts";
import { freshness } from "./freshness.ts";
import type { GatewaySettings } from "./options.ts";
import { usageRecorder } from "./recorder.ts";
import { spendCache } from "./spend-cache.ts";
import { tokenTable } from "./token-table.ts";

// What the gateway keeps between requests: gateway tokens, active keys and spend, cached in memory and dropped
// together whenever another process commits to the store; and the group commit of usage events.

export type GatewayState = Awaited<ReturnType<typeof gatewayState>>;

export async function gatewayState({ core, now, refreshMs, warn }: GatewaySettings) {
  const store = core.store;
  const tokens = tokenTable(store, await core.tokenHasher());
  const keys = activeKeys(core, refreshMs);
  const budgets: Budgets = {
    // Recorded or reported, whichever is larger (core's rule). Costs recorded here are added on top of that figure
    // until the next read: when the report led, that over-counts for at most refreshMs, on the side of the budget.
    keys: spendCache((w, keyId) => core.keySpend(w, keyId), now, refreshMs),
    tokens: spendCache(
      async (w, tokenId) => (await store.usage.spendByToken({ ...w, tokenId }))[0]?.costUsd ?? 0,
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
  const recorder = usageRecorder(store, now, (err) =>
    warn(`warning: usage not recorded: ${isApikeyError(err) ? err.code : "store error"}`),
  );
  return { tokens, keys, budgets, fresh, recorder };
}
