// A second process writing to a PostgreSQL store in a loop, the way another apikey process would: each row in its
// own transaction that first takes the store's write lock. Plain JavaScript on node-postgres.
// argv: <url> <schema> <count>. Prints "ready" once connected, "done" at the end.
import pg from "pg";

const [url, schema, countText] = process.argv.slice(2);
const count = Number(countText);
const client = new pg.Client({ connectionString: url });
await client.connect();
await client.query(`SET search_path TO "${schema.replaceAll('"', '""')}"`);
process.stdout.write("ready\n");
for (let i = 0; i < count; i++) {
  await client.query("BEGIN; SELECT 1 FROM store_version WHERE id = 1 FOR UPDATE");
  await client.query(
    "INSERT INTO audit_log (at, actor, front, action, key_id, profile, details) VALUES ($1, 'test:child', 'test', 'child.write', NULL, NULL, '{}')",
    [new Date()],
  );
  await client.query("COMMIT");
  await new Promise((resolve) => setTimeout(resolve, 1));
}
await client.end();
process.stdout.write("done\n");
