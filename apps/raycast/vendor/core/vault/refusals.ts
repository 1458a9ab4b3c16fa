// Vendored from packages/core/src/vault/refusals.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KeyRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";

// Refusals shared by the key and profile use cases.

export function profileNotFound(profile: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.PROFILE_NOT_FOUND, `No profile named "${profile}".`, {
    details: { profile },
  });
}

export function nameTaken(name: string, profile: string): ApikeyError {
  return new ApikeyError(
    ERROR_CODES.NAME_TAKEN,
    `A key named "${name}" already exists in profile "${profile}".`,
    {
      hint: "Pick another name, or rename the existing key.",
    },
  );
}

export function notUsable(key: KeyRecord): ApikeyError {
  return new ApikeyError(ERROR_CODES.KEY_DISABLED, `Key "${key.name}" is ${key.status}.`, {
    hint: key.status === "disabled" ? "Enable it first." : "Use its successor instead.",
    details: { key: key.name, profile: key.profile, status: key.status },
  });
}
