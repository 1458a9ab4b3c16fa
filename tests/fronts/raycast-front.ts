import { openStore } from "@apikey/storage/node-sqlite";
import { readStdin, runSession } from "./session.ts";

// Bundled like `ray build` does (CommonJS, node22, node:* external) and run under Node 22: no native addon.
readStdin()
  .then((text) => runSession(JSON.parse(text), openStore))
  .then((out) => process.stdout.write(`${JSON.stringify(out)}\n`))
  .catch((err: { code?: string; message?: string }) => {
    process.stdout.write(
      `${JSON.stringify({ error: { code: err.code ?? "E_INTERNAL", message: err.message } })}\n`,
    );
    process.exitCode = 1;
  });
