import type { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import type { PgDb, PgSession, PgTuning } from "../session.ts";
import { sessionSetup } from "../session.ts";

/** What the busy timeout raises: the SQLSTATE PostgreSQL uses for lock_timeout, so the store maps it alike. */
class HubBusyError extends Error {
  readonly code = "55P03";
  constructor() {
    super("canceling statement due to lock timeout");
  }
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * PGlite is PostgreSQL in this process with exactly one session. Several stores (or a test's second "connection")
 * may share it: each takes the session in turn, for a whole transaction at a time, and waits at most its busy
 * timeout — what a server's row lock and lock_timeout do between connections. On each hand-over the session state
 * that belongs to one store (its search_path and its apikey.own_commits count) is put back.
 */
export class PgliteHub {
  readonly db: PgDb;
  private holder: object | null = null;
  private readonly waiters: Waiter[] = [];
  /** Whose search_path and commit count the session holds now. */
  private current: HubSession | null = null;

  constructor(readonly pglite: PGlite) {
    this.db = drizzle({ client: pglite }) as unknown as PgDb;
  }

  /** Takes the session for `owner`, waiting at most `timeoutMs` (no limit when undefined). */
  async acquire(owner: object, timeoutMs: number | undefined): Promise<() => void> {
    if (this.holder !== null) {
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { grant: resolve, timer: undefined };
        if (timeoutMs !== undefined) {
          waiter.timer = setTimeout(() => {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            reject(new HubBusyError());
          }, timeoutMs);
        }
        this.waiters.push(waiter);
      });
    }
    this.holder = owner;
    return () => {
      this.holder = null;
      const next = this.waiters.shift();
      if (next) {
        clearTimeout(next.timer);
        this.holder = {};
        next.grant();
      }
    };
  }

  /** Makes the session hold `session`'s state, saving the previous store's commit count. */
  async switchTo(session: HubSession): Promise<void> {
    if (this.current === session) return;
    if (this.current) {
      const [row] = (
        await this.pglite.query<{ n: string | null }>(
          "SELECT current_setting('apikey.own_commits', true) AS n",
        )
      ).rows;
      this.current.ownCommits = row?.n || "0";
    }
    await this.pglite.query(
      "SELECT set_config('search_path', $1, false), set_config('apikey.own_commits', $2, false)",
      [session.searchPath, session.ownCommits],
    );
    this.current = session;
  }

  forget(session: HubSession): void {
    if (this.current === session) this.current = null;
  }
}

interface HubSession {
  searchPath: string;
  ownCommits: string;
}

/** A session on the hub for one store. */
export async function connectPglite(
  hub: PgliteHub,
  schema: string | undefined,
  tuning: PgTuning,
): Promise<PgSession> {
  const state: HubSession = { searchPath: "public", ownCommits: "0" };
  let open = true;
  const exclusive = async <T>(work: () => Promise<T>): Promise<T> => {
    const release = await hub.acquire(state, tuning.busyTimeoutMs);
    try {
      await hub.switchTo(state);
      return await work();
    } finally {
      release();
    }
  };
  await exclusive(async () => {
    await hub.pglite.exec(sessionSetup(schema, tuning));
    const [row] = (await hub.pglite.query<{ path: string }>("SELECT current_setting('search_path') AS path"))
      .rows;
    state.searchPath = row?.path ?? "public";
  });
  return {
    db: hub.db,
    async query<R>(text: string, params?: unknown[]) {
      return (await hub.pglite.query<R>(text, params)).rows;
    },
    async exec(text) {
      await hub.pglite.exec(text);
    },
    exclusive,
    async close() {
      if (!open) return;
      open = false;
      hub.forget(state);
    },
  };
}
