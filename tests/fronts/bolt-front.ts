import { openStore } from "@apikey/storage/better-sqlite3";
import { readStdin, runSession } from "./session.ts";

// Imported the way a Node app (a Bolt bot) does: an ES module on the workspace's Node, better-sqlite3 as a package.
const out = await runSession(JSON.parse(await readStdin()), openStore).catch(
  (err: { code?: string; message?: string }) => {
    process.exitCode = 1;
    return { error: { code: err.code ?? "E_INTERNAL", message: err.message } };
  },
);
process.stdout.write(`${JSON.stringify(out)}\n`);
