import type { Worker as WorkerThread } from "node:worker_threads";

// Why this exists: in WAL mode with synchronous=NORMAL a commit only writes; the fsyncs happen at checkpoints, and
// SQLite runs its automatic checkpoint inside whichever commit pushes the WAL past 1,000 pages. In a server that is
// the event loop: the gateway measured two fsyncs of ~3 ms each about every 170 usage commits, which was its p99.
// A long-running process turns the automatic checkpoint off on its own connection and lets a worker thread, with
// a connection of its own, checkpoint every so often instead. A PASSIVE checkpoint never waits for or blocks the
// writer, and one with nothing new in the WAL does nothing (no fsync). Durability is unchanged: a commit is in the
// WAL file (the OS has it) before the commit returns, checkpoint or not.

/** The worker's whole program, plain CommonJS so it runs the same from the TypeScript sources and from a bundle. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, nativeBinding: workerData.addon });
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const run = () => {
  try {
    checkpoint.run();
  } catch (err) {
    // Busy: another connection is checkpointing right now; the next tick catches up.
    if (err && err.code === "SQLITE_BUSY") return;
    throw err;
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage("ready");
`;

export interface BackgroundCheckpoints {
  /** Resolves once the worker has closed its connection (or was stopped another way). */
  stop(): Promise<void>;
}

export interface BackgroundCheckpointOptions {
  /** The database file (WAL mode). */
  path: string;
  /** The module the worker loads for its connection: better-sqlite3's resolved entry. */
  driver: string;
  /** better-sqlite3's native addon (drivers/addon.ts); undefined: better-sqlite3 looks for it. */
  addon?: string;
  /** Turns the automatic checkpoint of the calling thread's connection off (0) or back on. */
  setAutoCheckpoint(pages: number): void;
  /** How often the worker checkpoints. */
  intervalMs?: number;
  /** Told when the worker could not start or died; the connection has its automatic checkpoint back by then. */
  onFallback?(reason: string): void;
}

/** SQLite's default automatic checkpoint threshold, restored if the worker is gone. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

export function startBackgroundCheckpoints(options: BackgroundCheckpointOptions): BackgroundCheckpoints {
  // Fetched here, not imported: only a server checkpoints in the background, and loading worker_threads costs every
  // other opening of a store (a CLI read) a few milliseconds of start-up (issue 25).
  const { Worker } = process.getBuiltinModule("node:worker_threads");
  const worker: WorkerThread = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path: options.path,
      driver: options.driver,
      addon: options.addon,
      intervalMs: options.intervalMs ?? 250,
    },
  });
  // A gateway that failed to listen must still exit: the worker alone never keeps the process alive.
  worker.unref();
  options.setAutoCheckpoint(0);
  let stopping = false;
  let exited = false;
  const gone = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const fallBack = (reason: string) => {
    if (stopping) return;
    stopping = true;
    // Without the worker nothing would ever checkpoint and the WAL would grow without end.
    options.setAutoCheckpoint(DEFAULT_AUTOCHECKPOINT_PAGES);
    options.onFallback?.(reason);
  };
  worker.on("error", (err) => fallBack(err instanceof Error ? err.message : String(err)));
  worker.on("exit", (code) => {
    exited = true;
    fallBack(`the checkpoint worker exited (code ${code})`);
  });
  return {
    async stop() {
      if (exited) return;
      stopping = true;
      // Referenced again while it winds down: otherwise a process with nothing else to do would exit in the
      // middle of this await, before its caller reports anything.
      worker.ref();
      worker.postMessage("stop");
      // A worker stuck in an fsync finishes it first; do not wait for ever on a wedged disk.
      const timeout = setTimeout(() => void worker.terminate(), 2000);
      timeout.unref();
      await gone;
      clearTimeout(timeout);
    },
  };
}
