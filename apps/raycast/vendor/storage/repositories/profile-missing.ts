// Vendored from packages/storage/src/repositories/profile-missing.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError } from "../../core/errors.ts";
import type { Dialect } from "../dialect.ts";

/** A row naming a profile that does not exist (a foreign-key failure) as the domain's error; anything else as is. */
export function profileMissing(dialect: Dialect, err: unknown): unknown {
  return dialect.isForeignKeyViolation(err)
    ? new ApikeyError("E_PROFILE_NOT_FOUND", "That profile does not exist.", {
        cause: dialect.driverError(err),
      })
    : err;
}
