import { existsSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  addKey,
  makeHome,
  type RunOptions,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 12, item 1: `apikey exec` hands its child the active key and nothing that unlocks the store.

const KEY = fakeApiKey("EXEC_ENV");
const PASSPHRASE = "FAKE-TEST store passphrase";
const EXPORT_PASSPHRASE = "FAKE-TEST export passphrase";
let home: TestHome;

beforeAll(async () => {
  home = await makeHome();
  const r = await addKey("work", KEY, { home }, ["--no-validate"]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => home?.cleanup());

// The child reports its environment as the kernel holds it (/proc/self/environ), not as Node's process.env shows it.
const REPORT_ENV =
  "const fs=require('node:fs');" +
  "const raw=fs.existsSync('/proc/self/environ')?fs.readFileSync('/proc/self/environ','utf8'):" +
  "Object.entries(process.env).map(([k,v])=>k+'='+v).join('\\0');" +
  "process.stdout.write(JSON.stringify(raw.split('\\0').filter(Boolean)))";

it("item 1: exec's child environment holds no APIKEY_MASTER_KEY, APIKEY_PASSPHRASE or APIKEY_EXPORT_PASSPHRASE, only the active key", async () => {
  const opts: RunOptions = {
    home,
    env: {
      APIKEY_PASSPHRASE: PASSPHRASE,
      APIKEY_EXPORT_PASSPHRASE: EXPORT_PASSPHRASE,
      // Differently cased copies must not slip through either (Windows treats them as the same variable).
      apikey_master_key: TEST_MASTER_KEY,
    },
  };
  const r = await runCli(["exec", "--no-masking", "--", process.execPath, "-e", REPORT_ENV], opts);
  expect(r.code, r.stderr).toBe(0);
  const entries = JSON.parse(r.stdout) as string[];
  const names = entries.map((e) => e.slice(0, e.indexOf("=")).toUpperCase());
  expect(names).not.toContain("APIKEY_MASTER_KEY");
  expect(names).not.toContain("APIKEY_PASSPHRASE");
  expect(names).not.toContain("APIKEY_EXPORT_PASSPHRASE");
  const joined = entries.join("\n");
  for (const secret of [TEST_MASTER_KEY, PASSPHRASE, EXPORT_PASSPHRASE]) expect(joined).not.toContain(secret);
  expect(entries).toContain(`ANTHROPIC_API_KEY=${KEY}`);
  // Everything else is passed on as it was.
  expect(entries).toContain(`APIKEY_HOME=${home.dataDir}`);
  expect(existsSync(home.storePath)).toBe(true);
});
