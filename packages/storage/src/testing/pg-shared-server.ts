// One private PostgreSQL server for a whole test run instead of one per test file: initdb and start-up cost seconds
// of CPU each time, and five files (storage's contract, four end-to-end files) used to pay it. Vitest runs this as
// the root globalSetup; it starts nothing until a file asks, so a run without PostgreSQL tests pays nothing.
//
// Test files run in worker processes, and globalSetup can hand them only values fixed before the run, so the
// server is asked for through a small HTTP endpoint on 127.0.0.1: each request gets a database of its own on the
// one server (the isolation a server per file gave), created on the spot.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { type PrivatePostgres, startPostgres } from "../../../../scripts/private-postgres.mjs";

/** The key under which the endpoint's URL is provided to test files (see pg-server.ts). */
export const PG_BROKER_KEY = "apikeyPostgresBroker";

declare module "vitest" {
  export interface ProvidedContext {
    apikeyPostgresBroker: string;
  }
}

/** A fresh database on the shared server; `server` starts it on first use. */
async function newDatabase(server: PrivatePostgres): Promise<string> {
  const name = `t_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return server.url.replace(/\/[^/]*$/, `/${name}`);
}

/**
 * Whether to start the server with the run instead of on the first file's request: when the run holds every file of
 * a project that asks for one (storage's, the end-to-end tests'), as `pnpm test` does. initdb and the server's
 * start then take the first seconds, when the test workers are still starting and the machine has a core to spare,
 * not the seconds in which a storage worker would wait for them. A run of chosen files (a path filter) starts it
 * only if a file asks. `filenamePattern` is Vitest's own record of the run's path filters (not a public field:
 * where it is missing, the server simply starts at once).
 */
function startsAtOnce(project: TestProject): boolean {
  const filters = (project.vitest as { filenamePattern?: string[] }).filenamePattern;
  if (filters !== undefined && filters.length > 0) return false;
  return project.vitest.projects.some((p) => p.name === "storage" || p.name === "e2e");
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: Promise<PrivatePostgres> | undefined;
  // Throw-away data (usePrivatePostgres's default), and room for two files' connections at once.
  const shared = () => {
    server ??= startPostgres({ settings: { fsync: "off", max_connections: "300" } });
    return server;
  };
  const http: Server = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/database") {
      res.writeHead(404).end();
      return;
    }
    shared()
      .then(newDatabase)
      .then(
        (url) => res.writeHead(200, { "content-type": "text/plain" }).end(url),
        (err: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(err.message),
      );
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  if (startsAtOnce(project)) {
    // Failing here is each asking file's error, as when started on demand.
    shared().catch(() => {});
  }
  project.provide(PG_BROKER_KEY, `http://127.0.0.1:${(http.address() as AddressInfo).port}`);
  return async () => {
    await new Promise((resolve) => http.close(resolve));
    // A server that failed to start has nothing to stop; its error was each asking file's.
    await server?.then((s) => s.stop()).catch(() => {});
  };
}
