// Vendored from packages/core/src/kek/passphrase.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { randomBytes, scrypt } from "node:crypto";
import type { ScryptParams } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";

// scrypt at N=2^17, r=8, p=1 (128 MiB, a few hundred ms here): the OWASP-recommended floor for
// interactive use. The parameters are stored beside the wrapped DEK so they can be raised later.
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
/** For the store and for bundles alike (a bundle is the store in a file that may travel). */
export const MIN_PASSPHRASE_LENGTH = 12;

export function newScryptParams(): ScryptParams {
  return { name: "scrypt", ...DEFAULT_SCRYPT, salt: randomBytes(16).toString("base64") };
}

/**
 * Parameters read back from the store are checked before use: edited ones (N = 2^40, a missing salt) must end in a
 * clear E_STORE_CORRUPT, not an out-of-memory error or an hour of hashing.
 */
export function checkScryptParams(params: ScryptParams): void {
  const { N, r, p, salt } = params as Partial<ScryptParams>;
  const ok =
    Number.isSafeInteger(N) &&
    (N as number) >= 2 ** 10 &&
    (N as number) <= 2 ** 22 &&
    ((N as number) & ((N as number) - 1)) === 0 &&
    Number.isSafeInteger(r) &&
    (r as number) >= 1 &&
    (r as number) <= 32 &&
    Number.isSafeInteger(p) &&
    (p as number) >= 1 &&
    (p as number) <= 16 &&
    typeof salt === "string" &&
    Buffer.from(salt, "base64").length >= 16;
  if (!ok) {
    throw new ApikeyError(ERROR_CODES.STORE_CORRUPT, "The store's passphrase parameters are damaged.", {
      details: { reason: "scrypt_params" },
    });
  }
}

export function derivePassphraseKek(passphrase: string, params: ScryptParams): Promise<Buffer> {
  checkScryptParams(params);
  const { N, r, p } = params;
  return new Promise((resolve, reject) => {
    scrypt(
      passphrase.normalize("NFC"),
      Buffer.from(params.salt, "base64"),
      32,
      { N, r, p, maxmem: 256 * N * r },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

/**
 * The one rule for every new passphrase, the store's and a bundle's alike: at least MIN_PASSPHRASE_LENGTH characters
 * (code points, so a passphrase of accented words counts what the person typed). Existing stores are not held to it:
 * only new passphrases are checked. E_PASSPHRASE_WEAK.
 */
export function checkNewPassphrase(passphrase: string, purpose: "store" | "bundle" = "store"): void {
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new ApikeyError(
      ERROR_CODES.PASSPHRASE_WEAK,
      `A${purpose === "bundle" ? "n export" : ""} passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`,
      {
        hint:
          purpose === "bundle"
            ? "The file may travel anywhere; use several random words."
            : "Choose a longer passphrase; several random words work well.",
      },
    );
  }
}
