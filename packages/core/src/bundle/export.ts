import { decryptSecret } from "../crypto/data-key.ts";
import { DEFAULT_PROFILE, type KeyRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { Session } from "../vault/session.ts";
import { checkExportPassphrase, sealBundle } from "./file-format.ts";
import { APIKEY_VERSION, type BundleKey, encodePayload } from "./payload.ts";
import type { SkippedKey } from "./plan.ts";

export interface ExportOptions {
  /** Only this profile's keys; all profiles when absent. */
  profile?: string;
  passphrase: string;
}

export interface ExportResult {
  /** The bundle file's text: encrypted, safe to write anywhere, useless without the passphrase. */
  text: string;
  keys: number;
  profiles: string[];
  /** Keys deliberately left out, with the reason. */
  skipped: SkippedKey[];
}

/** Seals a bundle's plaintext under the export passphrase: sealBundle, which always writes DEFAULT_SCRYPT. */
export type BundleSealer = (plaintext: Uint8Array, passphrase: string) => Promise<string>;

/** Decrypts the chosen keys with the data key and seals them under a passphrase. Audited as `store.export`. */
export function exportBundle(vault: Session, options: ExportOptions): Promise<ExportResult> {
  return exportBundleSealedBy(vault, options, sealBundle);
}

/**
 * exportBundle with another sealer. Not on the bundle entry (index.ts): only @apikey/core/testing passes one, to
 * write a bundle at a test's scrypt cost through every other step of the real export.
 */
export async function exportBundleSealedBy(
  vault: Session,
  options: ExportOptions,
  seal: BundleSealer,
): Promise<ExportResult> {
  // Refused before anything is decrypted or derived.
  checkExportPassphrase(options.passphrase);
  const { store } = vault;
  const filter = options.profile === undefined ? {} : { profile: options.profile };
  const allProfiles = await store.profiles.list();
  const profiles =
    options.profile === undefined ? allProfiles : allProfiles.filter((p) => p.name === options.profile);
  if (options.profile !== undefined && profiles.length === 0 && options.profile !== DEFAULT_PROFILE) {
    throw new ApikeyError(ERROR_CODES.PROFILE_NOT_FOUND, `No profile named "${options.profile}".`, {
      details: { profile: options.profile ?? null },
    });
  }

  const skipped: SkippedKey[] = [];
  const chosen: KeyRecord[] = [];
  for (const key of await store.keys.list(filter)) {
    // A rotated key's successor is exported; the old one is history whose links would dangle.
    if (key.status === "rotated") continue;
    if (key.oauthProvider !== null || key.refreshCiphertext !== null) {
      skipped.push({
        name: key.name,
        profile: key.profile,
        reason: "oauth",
        detail: "OAuth sessions belong to this machine's provider registration; log in again after importing",
      });
      continue;
    }
    chosen.push(key);
  }
  if (chosen.length === 0) {
    throw new ApikeyError(ERROR_CODES.KEY_NOT_FOUND, "There are no keys to export.", {
      hint: options.profile === undefined ? "Add a key first." : "Pick another profile.",
    });
  }

  const dek = await vault.unlock();
  const keys: BundleKey[] = chosen.map((k) => ({
    name: k.name,
    profile: k.profile,
    kind: k.kind,
    source: k.source,
    organization: k.organization,
    workspace: k.workspace,
    status: k.status === "disabled" ? "disabled" : "active",
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    lastValidatedAt: k.lastValidatedAt,
    validation: k.validation,
    validationMessage: k.validationMessage,
    monthlyBudgetUsd: k.monthlyBudgetUsd,
    budgetMode: k.budgetMode,
    upstreamId: k.upstreamId,
    secret: decryptSecret(dek, k),
  }));
  const names = new Map(chosen.map((k) => [k.id, k.name]));
  const content = {
    apikeyVersion: APIKEY_VERSION,
    exportedAt: vault.now(),
    profiles: profiles.map((p) => ({
      name: p.name,
      activeKey: p.activeKeyId === null ? null : (names.get(p.activeKeyId) ?? null),
    })),
    keys,
  };
  const text = await seal(encodePayload(content), options.passphrase);
  await store.transaction((tx) =>
    vault.auditIn(tx, "store.export", null, options.profile ?? null, {
      count: keys.length,
      profiles: content.profiles.map((p) => p.name),
      skipped: skipped.length,
    }),
  );
  return { text, keys: keys.length, profiles: content.profiles.map((p) => p.name), skipped };
}
