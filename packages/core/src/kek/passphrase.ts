import { randomBytes, scrypt } from "node:crypto";
import type { ScryptParams } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";

// scrypt at N=2^17, r=8, p=1 (128 MiB, a few hundred ms here): the OWASP-recommended floor for
// interactive use. The parameters are stored beside the wrapped DEK so they can be raised later.
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
export const MIN_PASSPHRASE_LENGTH = 8;

export function newScryptParams(): ScryptParams {
  return { name: "scrypt", ...DEFAULT_SCRYPT, salt: randomBytes(16).toString("base64") };
}

export function derivePassphraseKek(passphrase: string, params: ScryptParams): Promise<Buffer> {
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

export function checkNewPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new ApikeyError(
      ERROR_CODES.USAGE,
      `A passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`,
      { hint: "Choose a longer passphrase; several random words work well." },
    );
  }
}
