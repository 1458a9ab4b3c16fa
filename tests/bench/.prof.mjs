import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toEvent } from "@apikey/core/usage";
import { openStore } from "@apikey/storage";

const dir = mkdtempSync(join(tmpdir(), "prof-"));
const store = await openStore({ path: join(dir, "a.db") });
await store.profiles.create({ name: "default", activeKeyId: null, createdAt: new Date() });
const id = randomUUID();
const now = new Date();
await store.keys.insert({
  id,
  name: "k",
  profile: "default",
  provider: "anthropic",
  kind: "api",
  source: "manual",
  organization: null,
  status: "active",
  ciphertext: new Uint8Array(randomBytes(48)),
  nonce: new Uint8Array(12),
  hint: "h",
  fingerprint: "f",
  createdAt: now,
  updatedAt: now,
  lastUsedAt: null,
  lastValidatedAt: null,
  validation: null,
  validationMessage: null,
  rotatedFromId: null,
  rotatedToId: null,
  upstreamId: null,
  monthlyBudgetUsd: null,
  budgetMode: "warn",
  refreshCiphertext: null,
  refreshNonce: null,
  expiresAt: null,
  oauthProvider: null,
});
const N = 50000;
const inputs = Array.from({ length: N }, (_, i) => ({
  keyId: id,
  at: new Date(Date.now() - i),
  model: "claude-sonnet-4-6",
  inputTokens: 1,
  outputTokens: 2,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
  requestId: "r" + i,
  front: "b",
}));
let t = performance.now();
const events = inputs.map((i) => toEvent(i, now));
console.log("toEvent", performance.now() - t);
t = performance.now();
await store.transaction((tx) => tx.usage.recordMany(events));
console.log("recordMany", performance.now() - t);
