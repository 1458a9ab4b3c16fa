// Vendored from packages/storage/src/sqlite-store.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { Store } from "../core/store.ts";
import type { Connection } from "./drivers/types.ts";
import { toStoreError } from "./errors.ts";
import { auditRepository } from "./repositories/audit.ts";
import { deactivationRepository } from "./repositories/deactivations.ts";
import { gatewayTokenRepository } from "./repositories/gateway-tokens.ts";
import { keyRepository } from "./repositories/keys.ts";
import { markRepository } from "./repositories/marks.ts";
import { metaRepository } from "./repositories/meta.ts";
import { oauthProviderRepository } from "./repositories/oauth-providers.ts";
import { profileRepository } from "./repositories/profiles.ts";
import { settingsRepository } from "./repositories/settings.ts";
import { slotRepository } from "./repositories/slots.ts";
import { storeSecretRepository } from "./repositories/store-secrets.ts";
import { usageRepository } from "./repositories/usage.ts";
import { SerialQueue } from "./serial.ts";

/** Wraps every method of a repository so it runs through the queue and throws only ApikeyErrors. */
function serialised<T extends object>(repo: T, guard: <R>(work: () => Promise<R>) => Promise<R>): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(repo)) {
    wrapped[name] =
      typeof method === "function" ? (...args: unknown[]) => guard(() => method.apply(repo, args)) : method;
  }
  return wrapped as T;
}

export function createSqliteStore(conn: Connection, location: string): Store {
  const queue = new SerialQueue();
  let closed = false;
  const guard = <R>(work: () => Promise<R>): Promise<R> =>
    queue.run(work).catch((err: unknown) => {
      throw toStoreError(err, location);
    });
  const meta = serialised(metaRepository(conn.db), guard);

  const store: Store = {
    location,
    keys: serialised(keyRepository(conn.db), guard),
    profiles: serialised(profileRepository(conn.db), guard),
    audit: serialised(auditRepository(conn.db), guard),
    usage: serialised(usageRepository(conn.db), guard),
    deactivations: serialised(deactivationRepository(conn.db), guard),
    oauthProviders: serialised(oauthProviderRepository(conn.db), guard),
    secrets: serialised(storeSecretRepository(conn.db), guard),
    settings: serialised(settingsRepository(conn.db), guard),
    slots: serialised(slotRepository(conn.db), guard),
    marks: serialised(markRepository(conn.db), guard),
    tokens: serialised(gatewayTokenRepository(conn.db), guard),
    getMeta: () => meta.get(),
    // Not through the queue: a long-running front asks this before every request, and waiting behind a usage
    // commit would add the commit's time to each of them. A read pragma is safe on the connection at any point,
    // inside one of its own transactions too.
    dataVersion: async () => {
      try {
        return Number(conn.scalar("PRAGMA data_version"));
      } catch (err) {
        throw toStoreError(err, location);
      }
    },
    setMeta: (value) => meta.set(value),
    transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
      // Nested: already inside this store's transaction, so join it.
      if (queue.inside) return fn(store);
      const exec = (sql: string) => {
        try {
          conn.exec(sql);
        } catch (err) {
          throw toStoreError(err, location);
        }
      };
      // fn's own errors reach the caller untouched; repository calls inside fn already map theirs.
      return queue.runScoped(async () => {
        exec("BEGIN IMMEDIATE");
        try {
          const result = await fn(store);
          exec("COMMIT");
          return result;
        } catch (err) {
          try {
            conn.exec("ROLLBACK");
          } catch {
            // SQLite may already have rolled back (e.g. after a failed COMMIT); the original error matters.
          }
          throw err;
        }
      });
    },
    close: () =>
      guard(async () => {
        if (closed) return;
        closed = true;
        conn.close();
      }),
  };
  return store;
}
