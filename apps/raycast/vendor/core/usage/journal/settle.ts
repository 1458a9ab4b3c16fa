// Vendored from packages/core/src/usage/journal/settle.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { Store } from "../../store.ts";
import { journalsToFold } from "./names.ts";

/**
 * Folds what dead gateways left in `dir` before usage or budgets are read outside a gateway. With nothing to fold
 * (no directory, or only running gateways' journals) it costs one readdir and loads nothing more.
 */
export async function foldLeftJournals(store: Store, dir: string | null, now: () => Date): Promise<number> {
  if (dir === null) return 0;
  const names = journalsToFold(dir);
  if (names.length === 0) return 0;
  return (await import("./fold.ts")).foldJournals(store, dir, names, { now });
}
