// Vendored from packages/core/src/federation/add.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { DEFAULT_PROFILE } from "../domain.ts";
import type { ValidationResult } from "../validate/classify.ts";
import { type AddKeyResult, insertNew } from "../vault/keys.ts";
import { checkName } from "../vault/names.ts";
import type { Session } from "../vault/session.ts";
import { encodeSettings, type FederationSettings, federationHint } from "./settings.ts";

/**
 * A federated key: its settings take the secret's place (sealed to the row, so an edited row fails to decrypt), its
 * hint names the rule. They were checked, and the first exchange made, before the store was opened (preflight.ts);
 * the insert itself is every key's: one transaction, one audit entry, de-duplicated by fingerprint.
 */
export async function addFederatedKey(
  s: Session,
  input: {
    name: string;
    profile?: string;
    settings: FederationSettings;
    validation: ValidationResult | null;
  },
): Promise<AddKeyResult> {
  const profile = input.profile ?? DEFAULT_PROFILE;
  const name = checkName(input.name, "key");
  const { settings, validation } = input;
  const fields = { hint: federationHint(settings), organization: settings.organizationId };
  const writer = await s.prepareWrite();
  try {
    const secret = encodeSettings(settings);
    return await insertNew(s, writer, { name, profile, kind: "federated", secret, validation, fields });
  } catch (err) {
    writer.discard();
    throw err;
  }
}
