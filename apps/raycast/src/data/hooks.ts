import { getPreferenceValues } from "@raycast/api";
import { useCachedPromise, usePromise } from "@raycast/utils";
import { loadSnapshot, loadUsage } from "./actions.ts";
import type { Preferences } from "./open-store.ts";

// Errors are handled by the commands (an empty view or a toast from lib/hints), so the hooks' own failure toast,
// which offers to report the error with its stack, is switched off.
const quiet = { onError: () => {} };

/**
 * Keys and profiles, metadata only. Cached (plain files) so the list paints at once, then revalidated on every open,
 * so a change made in the CLI or Slack shows up the next time the command opens.
 */
export function useKeys() {
  const { directory = "" } = getPreferenceValues<Preferences>();
  return useCachedPromise(loadSnapshot, [directory], { keepPreviousData: true, ...quiet });
}

export function useUsage(days: 7 | 30) {
  return usePromise(loadUsage, [days], quiet);
}
