// Vendored from packages/core/src/bundle/file-format.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { open, seal } from "../crypto/aead.ts";
import type { ScryptParams } from "../domain.ts";
import { ApikeyError, ERROR_CODES, isApikeyError } from "../errors.ts";
import { DEFAULT_SCRYPT, derivePassphraseKek } from "../kek/passphrase.ts";
import { BUNDLE_FORMAT, BUNDLE_VERSION, checkExportPassphrase, MIN_EXPORT_PASSPHRASE } from "./rules.ts";

export { BUNDLE_FORMAT, BUNDLE_VERSION, checkExportPassphrase, MIN_EXPORT_PASSPHRASE };

// The bundle file: a self-describing JSON envelope around one AES-256-GCM ciphertext. Everything needed to open it
// (KDF parameters, salt, nonce) is in the clear; the associated data binds all of it, so editing any header field
// makes the file fail to open rather than open differently.

// A bundle is a file someone may hand us: refuse KDF settings that would exhaust memory or time (a crafted
// N=2^30 would ask scrypt for 1 TiB) and settings weaker than apikey ever writes.
const MAX_SCRYPT_MEMORY = 512 * 1024 * 1024;

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

const HeaderSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.number().int(),
  kdf: z.object({
    name: z.literal("scrypt"),
    N: z.number().int().positive(),
    r: z.number().int().positive(),
    p: z.number().int().positive(),
    salt: b64.min(16),
    /** Tells a wrong passphrase apart from a damaged file (see `deriveKeys`). */
    check: b64.min(16),
  }),
  cipher: z.object({ name: z.literal("aes-256-gcm"), nonce: b64.min(16) }),
  ciphertext: b64.min(24),
});

export type BundleEnvelope = z.infer<typeof HeaderSchema>;

/** scrypt's cost settings: what a bundle is written at, and the least a reader accepts. */
export type BundleCost = { readonly N: number; readonly r: number; readonly p: number };

/** Seals at DEFAULT_SCRYPT, always: nothing a front passes can lower what apikey writes. */
export function sealBundle(plaintext: Uint8Array, passphrase: string): Promise<string> {
  return sealBundleAt(plaintext, passphrase, DEFAULT_SCRYPT);
}

/**
 * sealBundle at a given cost. Not on the bundle entry (index.ts): only @apikey/core/testing reaches it, so tests
 * whose subject is not scrypt can write a bundle cheaply with the code that writes every real one.
 */
export async function sealBundleAt(
  plaintext: Uint8Array,
  passphrase: string,
  cost: BundleCost,
): Promise<string> {
  checkExportPassphrase(passphrase);
  const params: ScryptParams = {
    name: "scrypt",
    N: cost.N,
    r: cost.r,
    p: cost.p,
    salt: randomBytes(16).toString("base64"),
  };
  const { key, check } = await deriveKeys(passphrase, params);
  const header = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    kdf: { ...params, check: check.toString("base64") },
  } as const;
  const cipherName = "aes-256-gcm" as const;
  const sealed = seal(key, plaintext, headerAad({ ...header, cipher: { name: cipherName } }));
  const cipher = { name: cipherName, nonce: sealed.nonce.toString("base64") };
  const envelope: BundleEnvelope = { ...header, cipher, ciphertext: sealed.ciphertext.toString("base64") };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

/**
 * Opens a bundle's envelope: E_BUNDLE_CORRUPT (not JSON, truncated, damaged, tampered), E_BUNDLE_FORMAT (some other
 * file), E_BUNDLE_VERSION (newer than this apikey), E_BUNDLE_PASSPHRASE (wrong passphrase). Returns the plaintext and
 * the version whose reader must interpret it.
 */
export function openEnvelope(
  text: string,
  passphrase: string,
  readable: (version: number) => boolean,
): Promise<{ version: number; plaintext: Buffer }> {
  return openEnvelopeAt(text, passphrase, readable, DEFAULT_SCRYPT);
}

/**
 * openEnvelope with `floor` as the weakest KDF accepted. Like sealBundleAt, reached only from @apikey/core/testing:
 * apikey itself reads no bundle weaker than it writes.
 */
export async function openEnvelopeAt(
  text: string,
  passphrase: string,
  readable: (version: number) => boolean,
  floor: BundleCost,
): Promise<{ version: number; plaintext: Buffer }> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw corrupt("it is not complete JSON (truncated or damaged?)", cause);
  }
  if (typeof raw !== "object" || raw === null || (raw as { format?: unknown }).format !== BUNDLE_FORMAT) {
    throw new ApikeyError(ERROR_CODES.BUNDLE_FORMAT, "That file is not an apikey bundle.", {
      hint: "Give a bundle apikey exported; other tools' files are imported from their own formats.",
    });
  }
  const version = (raw as { version?: unknown }).version;
  if (typeof version === "number" && Number.isInteger(version) && version > BUNDLE_VERSION) {
    throw new ApikeyError(
      ERROR_CODES.BUNDLE_VERSION,
      `This bundle is format version ${version}; this apikey reads up to version ${BUNDLE_VERSION}.`,
      { hint: "Update apikey, then import again." },
    );
  }
  const parsed = HeaderSchema.safeParse(raw);
  if (!parsed.success) throw corrupt("its header is incomplete or malformed", parsed.error);
  const env = parsed.data;
  if (!readable(env.version)) {
    throw new ApikeyError(ERROR_CODES.BUNDLE_VERSION, `Unknown bundle format version ${env.version}.`, {
      hint: "This file was not written by a released apikey.",
    });
  }
  checkKdfBounds(env.kdf, floor);
  if (passphrase.length === 0) throw wrongPassphrase();

  const { key, check } = await deriveKeys(passphrase, env.kdf);
  const expected = Buffer.from(env.kdf.check, "base64");
  if (expected.length !== check.length || !timingSafeEqual(expected, check)) throw wrongPassphrase();
  try {
    const plaintext = open(
      key,
      Buffer.from(env.ciphertext, "base64"),
      Buffer.from(env.cipher.nonce, "base64"),
      headerAad(env),
    );
    return { version: env.version, plaintext };
  } catch (cause) {
    // The passphrase is right (the check matched), so the ciphertext, nonce or header was altered.
    throw corrupt("it fails its integrity check (altered or damaged)", cause);
  }
}

/**
 * scrypt gives one 32-byte master; HKDF splits it into the AES key and a passphrase check. The check lets us say
 * "wrong passphrase" rather than "damaged file"; it gives an attacker nothing the ciphertext does not (either one
 * confirms a guess, and each guess costs a full scrypt).
 */
async function deriveKeys(passphrase: string, params: ScryptParams): Promise<{ key: Buffer; check: Buffer }> {
  const master = await derivePassphraseKek(passphrase, params).catch((err: unknown) => {
    // Out-of-range scrypt parameters in a bundle header are damage to the bundle, not to the store.
    throw isApikeyError(err, ERROR_CODES.STORE_CORRUPT)
      ? corrupt("its key-derivation parameters are out of range", err)
      : err;
  });
  const info = (label: string) => Buffer.from(`apikey-bundle:${label}:v1`);
  return {
    key: Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), info("key"), 32)),
    check: Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), info("check"), 16)),
  };
}

/**
 * Every header field in a fixed order, so that changing any of them fails the tag. The nonce is left out: seal()
 * chooses it, and GCM authenticates it anyway (another nonce gives another tag).
 */
function headerAad(h: {
  format: string;
  version: number;
  kdf: BundleEnvelope["kdf"];
  cipher: { name: string };
}): string {
  const { kdf, cipher } = h;
  return JSON.stringify([
    h.format,
    h.version,
    kdf.name,
    kdf.N,
    kdf.r,
    kdf.p,
    kdf.salt,
    kdf.check,
    cipher.name,
  ]);
}

function checkKdfBounds(kdf: BundleEnvelope["kdf"], floor: BundleCost): void {
  const powerOfTwo = (kdf.N & (kdf.N - 1)) === 0;
  if (!powerOfTwo || kdf.N < floor.N || kdf.r < floor.r || kdf.p < floor.p) {
    throw corrupt("its key-derivation settings are weaker than apikey writes");
  }
  if (128 * kdf.N * kdf.r * kdf.p > MAX_SCRYPT_MEMORY || kdf.p > 16) {
    throw corrupt("its key-derivation settings ask for more memory than apikey allows");
  }
}

function corrupt(why: string, cause?: unknown): ApikeyError {
  return new ApikeyError(ERROR_CODES.BUNDLE_CORRUPT, `The bundle cannot be read: ${why}.`, {
    hint: "Nothing was imported. Export the bundle again, or copy the whole file.",
    cause,
  });
}

function wrongPassphrase(): ApikeyError {
  return new ApikeyError(ERROR_CODES.BUNDLE_PASSPHRASE, "That passphrase does not open this bundle.", {
    hint: "Nothing was imported. Check the passphrase it was exported with (APIKEY_EXPORT_PASSPHRASE or the prompt). A bundle whose key-derivation header was edited also ends here.",
  });
}
