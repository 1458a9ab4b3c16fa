// Vendored from packages/core/src/vault/refusal-audit.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { holdsKeyLikeText } from "../scan/loose-keys.ts";
import type { Session } from "./session.ts";

export interface RefusalInput {
  /** What was refused, e.g. `key.use`, `command`. */
  action: string;
  profile?: string;
  /** Why, as a short code: `not-authorized`, `key-in-text`, `other-workspace`. */
  reason: string;
}

const SHORT = /^[A-Za-z0-9._:/-]{1,64}$/;

/**
 * A refused request is audited like a change (`refused.<action>`), so a reviewer sees who tried what. Only short,
 * plain codes are accepted: a front must never be able to put what the person typed (maybe a key) into the log.
 */
export async function auditRefusal(s: Session, input: RefusalInput): Promise<void> {
  for (const value of [input.action, input.reason, input.profile ?? "default"]) {
    if (!SHORT.test(value) || holdsKeyLikeText(value)) {
      throw new ApikeyError(ERROR_CODES.USAGE, "A refusal is recorded with short codes only.", {
        details: { reason: "refusal_fields" },
      });
    }
  }
  await s.store.transaction((tx) =>
    s.auditIn(tx, `refused.${input.action}`, null, input.profile ?? null, { reason: input.reason }),
  );
}
