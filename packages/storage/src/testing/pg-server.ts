// Test files that need a real PostgreSQL server: a database of their own on the run's one shared server
// (pg-shared-server.ts, the root vitest config's globalSetup), or, when run without that setup or with settings of
// their own, a private server for the file (scripts/private-postgres.mjs), started in beforeAll. Where the binaries are missing the file's tests are skipped with a line saying why and how
// to enable them — except under CI=true, where that is a failure: CI installs the server (.ci/run).
import { afterAll, beforeAll, inject, it } from "vitest";
import {
  findPostgresBin,
  HOW_TO_ENABLE,
  type PrivatePostgres,
  startPostgres,
} from "../../../../scripts/private-postgres.mjs";
import { PG_BROKER_KEY } from "./pg-shared-server.ts";

/** A database of its own on the run's shared server, or null when this run has no shared server. */
async function sharedDatabase(): Promise<string | null> {
  const broker = inject(PG_BROKER_KEY);
  if (!broker) return null;
  const res = await fetch(`${broker}/database`, { method: "POST" });
  const text = await res.text();
  if (!res.ok) throw new Error(`the shared PostgreSQL server did not start: ${text}`);
  return text;
}

const SHARED_SETTINGS = JSON.stringify({ fsync: "off" });

/**
 * Registers the server's start and stop; returns the URL getter, or null (after registering the visible skip or
 * the CI failure) when no server can start here.
 */
export function usePrivatePostgres(
  settings: Record<string, string> = { fsync: "off" },
): (() => string) | null {
  const bin = findPostgresBin();
  if (!bin) {
    const reason = `no PostgreSQL server binaries: ${HOW_TO_ENABLE}`;
    if (process.env.CI === "true") {
      it("has a PostgreSQL server to test against (required under CI=true)", () => {
        throw new Error(reason);
      });
    } else {
      console.warn(`skipped: PostgreSQL server tests (${reason})`);
      it.skip(`skipped: PostgreSQL server tests (${reason})`, () => {});
    }
    return null;
  }
  let server: PrivatePostgres | undefined;
  let url: string | null = null;
  beforeAll(async () => {
    if (JSON.stringify(settings) === SHARED_SETTINGS) url = await sharedDatabase();
    if (url === null) {
      server = await startPostgres({ settings, bin });
      url = server.url;
    }
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (url === null) throw new Error("the PostgreSQL server did not start");
    return url;
  };
}
