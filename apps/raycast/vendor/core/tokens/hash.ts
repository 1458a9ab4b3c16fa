// Vendored from packages/core/src/tokens/hash.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { createHmac, hkdfSync, randomBytes } from "node:crypto";

// A gateway token is a bearer secret the store must be able to recognise but never give back: it keeps only
// HMAC-SHA256(token) under a key derived from the data key. A stolen database yields no token, and without the
// data key no guess can be tested against it (a plain hash would allow that offline).

export const GATEWAY_TOKEN_PREFIX = "apk-gw-";

/** 256 random bits; deliberately not shaped like an Anthropic key, so it is never mistaken for one. */
export function generateGatewayToken(): string {
  return GATEWAY_TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export type TokenHasher = (token: string) => string;

/** A hasher bound to the store's data key; derive it once and keep it (a request hashes one short string). */
export function tokenHasher(dek: Uint8Array): TokenHasher {
  const key = Buffer.from(hkdfSync("sha256", dek, Buffer.alloc(0), "apikey:gateway-token:v1", 32));
  return (token) => createHmac("sha256", key).update(token, "utf8").digest("hex");
}
