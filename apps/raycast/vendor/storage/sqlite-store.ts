// Vendored from packages/storage/src/sqlite-store.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { Store } from "../core/store.ts";
import type { Connection } from "./drivers/types.ts";
import { toStoreError } from "./errors.ts";
import { type RepositoryName, storeRepositories, withRepositories } from "./repositories/index.ts";
import { SerialQueue } from "./serial.ts";
import { sqliteDialect } from "./sqlite/dialect.ts";

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
  const repositories = storeRepositories(sqliteDialect(conn), (repo) => serialised(repo, guard));

  const store: Store = withRepositories<Omit<Store, RepositoryName>>(
    {
      location,
      getMeta: () => repositories.meta.get(),
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
      setMeta: (value) => repositories.meta.set(value),
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
    },
    repositories,
  );
  return store;
}
