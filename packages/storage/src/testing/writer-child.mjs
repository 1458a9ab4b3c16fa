// A second process writing to the same store in a loop, the way another apikey process would (BEGIN IMMEDIATE,
// busy_timeout). Plain JavaScript on the raw driver so it runs on any Node without a TypeScript loader.
// argv: <driver> <db path> <count>. Prints "ready" once open, "done" at the end.
import { createRequire } from "node:module";

const [driver, path, countText] = process.argv.slice(2);
const count = Number(countText);

let db;
if (driver === "node-sqlite") {
  const { DatabaseSync } = await import("node:sqlite");
  db = new DatabaseSync(path);
} else {
  const Database = createRequire(import.meta.url)("better-sqlite3");
  db = new Database(path);
}
db.exec("PRAGMA busy_timeout = 5000");
const insert = db.prepare(
  "INSERT INTO audit_log (at, actor, front, action, key_id, profile, details) VALUES (?, 'test:child', 'test', 'child.write', NULL, NULL, '{}')",
);
const pause = new Int32Array(new SharedArrayBuffer(4));
process.stdout.write("ready\n");
for (let i = 0; i < count; i++) {
  db.exec("BEGIN IMMEDIATE");
  insert.run(Date.now());
  db.exec("COMMIT");
  Atomics.wait(pause, 0, 0, 1);
}
db.close();
process.stdout.write("done\n");
