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

const REPOSITORIES = {
  keys: keyRepository,
  profiles: profileRepository,
  audit: auditRepository,
  usage: usageRepository,
  reportedUsage: reportedUsageRepository,
  deactivations: deactivationRepository,
  oauthProviders: oauthProviderRepository,
  secrets: storeSecretRepository,
  settings: settingsRepository,
  slots: slotRepository,
  marks: markRepository,
  tokens: gatewayTokenRepository,
  meta: metaRepository,
};

export type StoreRepositories = {
  readonly [K in keyof typeof REPOSITORIES]: ReturnType<(typeof REPOSITORIES)[K]>;
};

/**
 * Every repository of a store over `dialect`, each passed through `wrap`: how the store runs a call (its queue, its
 * transaction, its errors) is the store's; what the call does is here. Each is built when first used: a store
 * opened for one list uses five of the thirteen, and Raycast opens one for every action (issue 25).
 */
export function storeRepositories(
  dialect: Dialect,
  wrap: <T extends object>(repository: T) => T,
): StoreRepositories {
  const repositories = {};
  for (const [name, make] of Object.entries(REPOSITORIES)) {
    let built: object | undefined;
    Object.defineProperty(repositories, name, {
      enumerable: true,
      get: () => {
        built ??= wrap(make(dialect));
        return built;
      },
    });
  }
  return repositories as StoreRepositories;
}

/** The repositories a Store holds as members (meta is behind its getMeta/setMeta). */
export type RepositoryName = Exclude<keyof StoreRepositories, "meta">;

/** `store` with every repository of `repositories` but meta (the Store's getMeta/setMeta), still built lazily. */
export function withRepositories<S extends object>(
  store: S,
  repositories: StoreRepositories,
): S & Pick<StoreRepositories, RepositoryName> {
  const { meta, ...others } = Object.getOwnPropertyDescriptors(repositories);
  return Object.defineProperties(store, others) as S & Pick<StoreRepositories, RepositoryName>;
}
