import { randomBytes } from "node:crypto";
import type { Vault } from "@apikey/core";
import { open, seal } from "@apikey/core/aead";

// The gateway token: what local clients send instead of a real key. Random, stored encrypted under the data key
// like the keys themselves, and deliberately NOT shaped like an Anthropic key (so it is never mistaken for one,
// and a leaked token is recognisably a gateway token, worth only as much as the gateway it opens).

export const GATEWAY_TOKEN_SECRET = "gateway-token";
export const GATEWAY_TOKEN_PREFIX = "apk-gw-";
const AAD = `apikey:secret:v1:${GATEWAY_TOKEN_SECRET}`;

export function generateGatewayToken(): string {
  return GATEWAY_TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

/** The stored token, or null when none was made yet. */
export async function readGatewayToken(vault: Vault): Promise<string | null> {
  const row = await vault.store.secrets.get(GATEWAY_TOKEN_SECRET);
  if (!row) return null;
  return open(await vault.unlock(), row.ciphertext, row.nonce, AAD).toString("utf8");
}

/** The stored token, made (and audited) on first use. */
export async function ensureGatewayToken(vault: Vault): Promise<{ token: string; created: boolean }> {
  const existing = await readGatewayToken(vault);
  if (existing !== null) return { token: existing, created: false };
  return { token: await writeToken(vault, "gateway.token.create", false), created: true };
}

/** Replaces the token; clients holding the old one get 401 from then on. */
export function rotateGatewayToken(vault: Vault): Promise<string> {
  return writeToken(vault, "gateway.token.rotate", true);
}

async function writeToken(vault: Vault, action: string, replace: boolean): Promise<string> {
  const dek = await vault.unlock();
  return vault.store.transaction(async (tx) => {
    // Two processes making the first token at once: the second keeps the first's, so both print the same one.
    if (!replace) {
      const raced = await tx.secrets.get(GATEWAY_TOKEN_SECRET);
      if (raced) return open(dek, raced.ciphertext, raced.nonce, AAD).toString("utf8");
    }
    const token = generateGatewayToken();
    const sealed = seal(dek, Buffer.from(token, "utf8"), AAD);
    await tx.secrets.put({
      name: GATEWAY_TOKEN_SECRET,
      ciphertext: sealed.ciphertext,
      nonce: sealed.nonce,
      updatedAt: vault.now(),
    });
    await vault.auditIn(tx, action, null, null, {});
    return token;
  });
}

/** Cheap change detection for a running gateway: compares the stored ciphertext, decrypting only when it moved. */
export function tokenWatcher(vault: Vault, initial: string) {
  let lastNonce: string | null = null;
  let token = initial;
  return {
    get token() {
      return token;
    },
    /** Returns the new token when the stored one changed since the last call. */
    async poll(): Promise<string | null> {
      const row = await vault.store.secrets.get(GATEWAY_TOKEN_SECRET);
      if (!row) return null;
      const nonce = Buffer.from(row.nonce).toString("base64");
      if (nonce === lastNonce) return null;
      lastNonce = nonce;
      const current = open(await vault.unlock(), row.ciphertext, row.nonce, AAD).toString("utf8");
      if (current === token) return null;
      token = current;
      return current;
    },
  };
}
