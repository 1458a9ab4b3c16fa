// Test files that need a real PostgreSQL server: one private server per file (scripts/private-postgres.mjs),
// started in beforeAll. Where the binaries are missing the file's tests are skipped with a line saying why and how
// to enable them — except under CI=true, where that is a failure: CI installs the server (.ci/run).
import { afterAll, beforeAll, it } from "vitest";
import {
  findPostgresBin,
  HOW_TO_ENABLE,
  type PrivatePostgres,
  startPostgres,
} from "../../../../scripts/private-postgres.mjs";

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
  beforeAll(async () => {
    server = await startPostgres({ settings, bin });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error("the PostgreSQL server did not start");
    return server.url;
  };
}
