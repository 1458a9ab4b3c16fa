// A private PostgreSQL server for tests and benchmarks: Debian's `postgresql` package binaries, a fresh data
// directory, a free port on 127.0.0.1 and a private socket directory, trust authentication (nothing listens beyond
// 127.0.0.1), gone when stopped. initdb refuses to run as root, so as root initdb and the server run as the
// `postgres` user (which the package creates): spawned with its uid and gid directly, not through runuser, which
// would not pass the shutdown signal on.
//
//   import { findPostgresBin, startPostgres } from "../scripts/private-postgres.mjs";
//   const server = await startPostgres();   // { url, stop() }
//
// From a shell: `node scripts/private-postgres.mjs` starts one, prints its URL and runs until Ctrl-C.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The directory holding initdb and postgres (newest installed version), or null when absent. */
export function findPostgresBin() {
  const candidates = [];
  if (process.env.APIKEY_PG_BIN) candidates.push(process.env.APIKEY_PG_BIN);
  try {
    const versions = readdirSync("/usr/lib/postgresql")
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {}
  return (
    candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres"))) ?? null
  );
}

/** How to enable the real-server tests where the binaries are missing. */
export const HOW_TO_ENABLE =
  "install Debian's postgresql package (apt-get install -y postgresql) or set APIKEY_PG_BIN";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  });
}

/** The user to run the server as: ourselves, or `postgres` when we are root (initdb refuses root). */
function runAs() {
  if (process.getuid?.() !== 0) return null;
  const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  if (id.status !== 0) throw new Error("running as root, and there is no postgres user to run the server as");
  return {
    name: "postgres",
    uid: Number(id.stdout.trim()),
    gid: Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim()),
  };
}

/** spawn options that run the child as `user` (when we are root). */
function as(user) {
  return user ? { uid: user.uid, gid: user.gid, env: { ...process.env, HOME: tmpdir() } } : {};
}

/** Runs a program to its end without blocking the event loop: its exit status and its output, as text. */
function finished(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text) => {
      stdout += text;
    });
    child.stderr.setEncoding("utf8").on("data", (text) => {
      stderr += text;
    });
    child.on("error", (err) => resolve({ status: null, stdout, stderr: stderr + err.message }));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * Starts a server. `settings` are postgresql.conf settings (e.g. { fsync: "off" } for throw-away test data).
 * Resolves once it accepts connections.
 */
export async function startPostgres({ settings = {}, bin = findPostgresBin() } = {}) {
  if (!bin) throw new Error(`PostgreSQL binaries not found: ${HOW_TO_ENABLE}`);
  const user = runAs();
  const root = mkdtempSync(join(tmpdir(), "apikey-pg-"));
  const data = join(root, "data");
  const sockets = join(root, "sockets");
  mkdirSync(sockets);
  if (user) {
    chownSync(root, user.uid, user.gid);
    chownSync(sockets, user.uid, user.gid);
  }
  chmodSync(root, 0o700);
  // Not spawnSync: the test runner's main process starts the shared server (pg-shared-server.ts), and a blocked
  // event loop there stalls every test worker that waits on it for a module or a report (initdb takes seconds).
  const init = await finished(
    join(bin, "initdb"),
    ["-D", data, "-U", "apikey", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
    { ...as(user), cwd: root },
  );
  if (init.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const options = {
    listen_addresses: "127.0.0.1",
    port: String(port),
    unix_socket_directories: sockets,
    max_connections: "200",
    ...settings,
  };
  const args = ["-D", data, ...Object.entries(options).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
  const server = spawn(join(bin, "postgres"), args, {
    stdio: ["ignore", "ignore", "pipe"],
    cwd: root,
    ...as(user),
  });
  let log = "";
  server.stderr.on("data", (chunk) => {
    log = (log + chunk).slice(-4000);
  });
  const exited = new Promise((resolve) => server.once("exit", resolve));
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      // SIGINT is PostgreSQL's fast shutdown: it ends every session and stops.
      server.kill("SIGINT");
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  };
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) break;
    if (await canConnect(port)) {
      // Accepting TCP is not yet accepting queries ("the database system is starting up"): the caller's first
      // connection may still be refused, so also wait for pg_isready.
      const ready = await finished(join(bin, "pg_isready"), [
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        "apikey",
      ]);
      if (ready.status === 0) return { url: `postgres://apikey@127.0.0.1:${port}/postgres`, port, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`PostgreSQL did not start: ${log}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startPostgres();
  console.log(server.url);
  const quit = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on("SIGINT", quit);
  process.on("SIGTERM", quit);
}
