// Vendored from packages/core/src/usage-sync/stored-schemas.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { z } from "zod";

// The stored shape of the setting usage findings read for an organization's key list (org-snapshot.ts). Apart, and
// loaded only when such a setting is there to check:
// `status` reads findings on every run, and most stores hold neither (zod is a third of a start's code; issue 25).

const SnapshotKey = z.object({
  id: z.string(),
  name: z.string().nullable(),
  status: z.string(),
  hint: z.string().nullable(),
  keyId: z.string().nullable(),
});
export const Snapshot = z.object({ listedAt: z.string().datetime(), keys: z.array(SnapshotKey) });
