// Vendored from packages/core/src/kek/master-key.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError, ERROR_CODES } from "../errors.ts";

/** APIKEY_MASTER_KEY: base64 (standard or url-safe) of exactly 32 bytes. */
export function parseMasterKey(value: string): Buffer {
  const bytes = Buffer.from(value.trim(), "base64");
  if (bytes.length !== 32 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value.trim())) {
    throw new ApikeyError(
      ERROR_CODES.MASTER_KEY_FORMAT,
      "APIKEY_MASTER_KEY must be base64 of 32 random bytes.",
      {
        hint: "Generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"",
      },
    );
  }
  return bytes;
}
