// Vendored from packages/core/src/tokens/port.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { BudgetMode } from "../domain.ts";

// The gateway-token part of the Store port (issue 10): one row per person or app that may use the gateway.

export interface GatewayTokenRecord {
  id: string;
  name: string;
  /** The profile whose active key the token's requests use; null: the profile the gateway was started with. */
  profile: string | null;
  /** Keyed hash of the token (see hash.ts); the token itself is never stored. */
  hash: string;
  monthlyBudgetUsd: number | null;
  budgetMode: BudgetMode;
  /** Model ids the token may call (a trailing `*` matches a prefix); null: any. */
  models: string[] | null;
  expiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
  /** Set once revoked; the row stays for the usage that points at it. */
  revokedAt: Date | null;
}

export type GatewayTokenPatch = Partial<Omit<GatewayTokenRecord, "id" | "createdAt">>;

export interface GatewayTokenRepository {
  insert(token: GatewayTokenRecord): Promise<void>;
  update(id: string, patch: GatewayTokenPatch): Promise<void>;
  /** The live (not revoked) token with this name. */
  byName(name: string): Promise<GatewayTokenRecord | null>;
  byId(id: string): Promise<GatewayTokenRecord | null>;
  /** Ordered by name; revoked tokens only when asked. */
  list(filter?: { includeRevoked?: boolean }): Promise<GatewayTokenRecord[]>;
  /** Moves last_used_at forward to `at` (never back). */
  touchLastUsed(id: string, at: Date): Promise<void>;
}
