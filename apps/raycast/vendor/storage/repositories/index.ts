// Vendored from packages/storage/src/repositories/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Every repository of a store, written once over its dialect (../dialect.ts): sqlite/dialect.ts or pg/dialect.ts.
import type { Dialect } from "../dialect.ts";
import { auditRepository } from "./audit.ts";
import { deactivationRepository } from "./deactivations.ts";
import { gatewayTokenRepository } from "./gateway-tokens.ts";
import { keyRepository } from "./keys.ts";
import { markRepository } from "./marks.ts";
import { metaRepository } from "./meta.ts";
import { oauthProviderRepository } from "./oauth-providers.ts";
import { profileRepository } from "./profiles.ts";
import { settingsRepository } from "./settings.ts";
import { slotRepository } from "./slots.ts";
import { storeSecretRepository } from "./store-secrets.ts";
import { usageRepository } from "./usage.ts";
import { reportedUsageRepository } from "./usage-reported.ts";

/**
 * Every repository of a store over `dialect`, each passed through `wrap`: how the store runs a call (its queue, its
 * transaction, its errors) is the store's; what the call does is here.
 */
export function storeRepositories(dialect: Dialect, wrap: <T extends object>(repository: T) => T) {
  return {
    keys: wrap(keyRepository(dialect)),
    profiles: wrap(profileRepository(dialect)),
    audit: wrap(auditRepository(dialect)),
    usage: wrap(usageRepository(dialect)),
    reportedUsage: wrap(reportedUsageRepository(dialect)),
    deactivations: wrap(deactivationRepository(dialect)),
    oauthProviders: wrap(oauthProviderRepository(dialect)),
    secrets: wrap(storeSecretRepository(dialect)),
    settings: wrap(settingsRepository(dialect)),
    slots: wrap(slotRepository(dialect)),
    marks: wrap(markRepository(dialect)),
    tokens: wrap(gatewayTokenRepository(dialect)),
    meta: wrap(metaRepository(dialect)),
  };
}
