// Vendored from packages/core/src/usage-sync/org-keys.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { decryptSecret } from "../crypto/index.ts";
import type { KeyRecord } from "../domain.ts";
import { matchesPartialHint } from "../rotation/partial-hint.ts";
import { type AdminHttpOptions, adminGet } from "./admin-http.ts";
import { type OrgKey, OrgKeyPage } from "./report-page.ts";

// The link between the report's `api_key_id` and a stored key: the organization's key list. A key already linked
// (rotation stores the organization's id on the key) matches by id; any other by its partial hint against the
// stored secret. A hint that fits two stored keys links neither: a wrong link would put one key's usage on another.

const PAGE_SIZE = 100;
const MAX_PAGES = 100;

export async function listOrgKeys(http: AdminHttpOptions): Promise<OrgKey[]> {
  const keys: OrgKey[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query: Array<[string, string]> = [["limit", String(PAGE_SIZE)]];
    if (after) query.push(["after_id", after]);
    const answer = await adminGet(http, "/v1/organizations/api_keys", query, OrgKeyPage);
    keys.push(...answer.data);
    if (!answer.has_more || !answer.last_id) break;
    after = answer.last_id;
  }
  return keys;
}

/** Organization key id → stored key id, for every organization key the store holds. */
export function matchOrgKeys(orgKeys: readonly OrgKey[], stored: readonly KeyRecord[], dek: Uint8Array) {
  const links = new Map<string, string>();
  const apiKeys = stored.filter((k) => k.kind === "api");
  let secrets: Array<{ id: string; secret: string }> | null = null;
  for (const orgKey of orgKeys) {
    const linked = apiKeys.find((k) => k.upstreamId === orgKey.id);
    if (linked) {
      links.set(orgKey.id, linked.id);
      continue;
    }
    // Decrypted once, and only when a key has no id link yet.
    secrets ??= apiKeys.map((k) => ({ id: k.id, secret: decryptSecret(dek, k) }));
    const fits = secrets.filter((s) => matchesPartialHint(s.secret, orgKey.partial_key_hint));
    if (fits.length === 1 && fits[0]) links.set(orgKey.id, fits[0].id);
  }
  return links;
}
