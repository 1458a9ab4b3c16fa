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

export function storeRepositories(dialect: Dialect) {
  return {
    keys: keyRepository(dialect),
    profiles: profileRepository(dialect),
    audit: auditRepository(dialect),
    usage: usageRepository(dialect),
    deactivations: deactivationRepository(dialect),
    oauthProviders: oauthProviderRepository(dialect),
    secrets: storeSecretRepository(dialect),
    settings: settingsRepository(dialect),
    slots: slotRepository(dialect),
    marks: markRepository(dialect),
    tokens: gatewayTokenRepository(dialect),
    meta: metaRepository(dialect),
  };
}
