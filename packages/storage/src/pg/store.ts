import type { Store } from "@apikey/core/store";
import { storeRepositories } from "../repositories/index.ts";
import { SerialQueue } from "../serial.ts";
import { pgDialect } from "./dialect.ts";
import { toPgStoreError } from "./errors.ts";
import type { PgSession } from "./session.ts";

/**
 * SQLite's BEGIN IMMEDIATE, on PostgreSQL: open a transaction and lock the store_version row at once. Every writer
 * takes that lock first, so writing transactions run one at a time across every process on the store, each seeing
 * all commits before it (READ COMMITTED reads the newest committed data per statement, and none can commit while
 * we hold the lock). The port's callers read-check-write inside one transaction (switching the active key,
 * rotating) and rely on exactly this; SERIALIZABLE would instead fail them with retryable errors mid-way.
 * Waiting longer than the busy timeout (lock_timeout) fails with E_STORE_BUSY, as SQLite's busy_timeout does.
 */
const BEGIN_WRITE =
  "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT 1 FROM store_version WHERE id = 1 FOR UPDATE";

/** Version minus this session's own commits: changes only when another connection committed (see drizzle-pg/0001). */
const DATA_VERSION =
  "SELECT version - coalesce(nullif(current_setting('apikey.own_commits', true), '')::bigint, 0) AS v " +
  "FROM store_version WHERE id = 1";

/** Repository methods that only read; every other method writes, and outside a transaction becomes one. */
const READS = new Set([
  "byId",
  "byName",
  "byFingerprint",
  "list",
  "get",
  "summarise",
  "spendByKey",
  "spendByToken",
  "totalsByKey",
  "buckets",
  "hoursWithUsage",
]);

export function createPgStore(session: PgSession, location: string): Store {
  const run = pgRunner(session, location);
  let closed = false;
  const { meta, ...repositories } = storeRepositories(pgDialect(session), (repo) => guarded(repo, run));
  const store: Store = {
    location,
    ...repositories,
    getMeta: () => meta.get(),
    setMeta: (value) => meta.set(value),
    dataVersion: () =>
      run.read(async () => {
        const [row] = await session.query<{ v: string | number }>(DATA_VERSION);
        return Number(row?.v ?? 0);
      }),
    transaction: <T>(fn: (tx: Store) => Promise<T>): Promise<T> => run.transaction(() => fn(store)),
    close: () =>
      run.serial(async () => {
        if (closed) return;
        closed = true;
        await session.close();
      }),
  };
  return store;
}

type PgRunner = ReturnType<typeof pgRunner>;

/** Each repository method run by `run`: a read joins the open transaction, a write outside one becomes one. */
function guarded<T extends object>(repo: T, run: PgRunner): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(repo)) {
    if (typeof method !== "function") continue;
    const guard = READS.has(name) ? run.read : run.write;
    wrapped[name] = (...args: unknown[]) => guard(() => method.apply(repo, args));
  }
  return wrapped as T;
}

/**
 * How a store runs work on its one session: one piece at a time (its queue), and writes in transactions that
 * remember a failed statement. Every error that is the store's becomes a coded store error.
 */
function pgRunner(session: PgSession, location: string) {
  const queue = new SerialQueue();
  // Inside store.transaction: repository writes join it. `failed` remembers a statement that failed inside, which in
  // PostgreSQL (unlike SQLite) aborts the whole transaction: COMMIT would then quietly roll back, so we refuse it.
  let open: { failed: boolean } | null = null;

  const fail = (err: unknown): never => {
    throw toPgStoreError(err, location);
  };
  /** Runs `work` alone on the session: queued behind this store's other work unless already inside it. */
  const serial = <R>(work: () => Promise<R>): Promise<R> =>
    queue.inside ? work() : queue.run(() => session.exclusive(work));
  /** The same for a transaction, whose callback calls the store again (see SerialQueue). */
  const serialScoped = <R>(work: () => Promise<R>): Promise<R> =>
    queue.inside ? work() : queue.runScoped(() => session.exclusive(work));

  async function inTransaction<R>(fn: () => Promise<R>): Promise<R> {
    try {
      await session.exec(BEGIN_WRITE);
    } catch (err) {
      await session.exec("ROLLBACK").catch(() => {});
      fail(err);
    }
    const state = { failed: false };
    open = state;
    try {
      const result = await fn();
      if (state.failed) {
        fail(new Error("a statement failed inside the transaction, so PostgreSQL rolled all of it back"));
      }
      await session.exec("COMMIT").catch(fail);
      return result;
    } catch (err) {
      await session.exec("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      open = null;
    }
  }

  /** Inside a transaction: runs `work` in it, remembering a failure. */
  const joined = <R>(tx: { failed: boolean }, work: () => Promise<R>): Promise<R> =>
    work().catch((err: unknown) => {
      tx.failed = true;
      throw err;
    });

  return {
    serial: <R>(work: () => Promise<R>): Promise<R> => serial(work).catch(fail),
    read: <R>(work: () => Promise<R>): Promise<R> =>
      serial(() => (open ? joined(open, work) : work())).catch(fail),
    write: <R>(work: () => Promise<R>): Promise<R> =>
      serial(() => (open ? joined(open, work) : inTransaction(work))).catch(fail),
    transaction<T>(fn: () => Promise<T>): Promise<T> {
      // Nested: already inside this store's transaction, so join it.
      if (queue.inside && open) return fn();
      // fn's own errors reach the caller untouched; repository calls inside fn already map theirs. Failing to get
      // the session at all (PGlite's busy timeout) is the store's error.
      let entered = false;
      return serialScoped(() => {
        entered = true;
        return inTransaction(fn);
      }).catch((err: unknown) => {
        if (!entered) fail(err);
        throw err;
      });
    },
  };
}
