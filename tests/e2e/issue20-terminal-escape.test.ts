import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadConfig, storeFileIn } from "@apikey/core";
import { recordUsageMany } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHome, runCli, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 20 item 13 (the CLI's part): a string that came from outside (a model name an upstream reported, a file name
// given on the command line) was printed with its line breaks raw, so it could fake a line of apikey's output. Every
// such string is shown escaped wherever the CLI prints it, in tables and in sentences.

// Each is a way to fake a line or steer the terminal: LF, CR, CR LF, ESC, BEL, NEL (C1), LINE SEPARATOR, TAB.
const EVIL = [
  "\nFAKE line",
  "\rFAKE",
  "\r\nFAKE",
  "\u001b[2JFAKE",
  "\u0007FAKE",
  "\u0085FAKE",
  "\u2028FAKE",
  "\tFAKE",
];
let home: TestHome;

/** No raw control character but our own line breaks, and no line that starts with the injected text. */
function expectEscaped(text: string, label: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
  expect(text, label).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
  for (const line of text.split("\n"))
    expect(line.startsWith("FAKE"), `${label}: ${JSON.stringify(line)}`).toBe(false);
}

beforeAll(async () => {
  home = await makeHome();
  await inProcess(home, (app) =>
    app.keys.add({ name: "work", secret: fakeApiKey("ESCAPE"), validate: false }),
  );
  const config = loadConfig({ APIKEY_HOME: home.dataDir, APIKEY_MASTER_KEY: TEST_MASTER_KEY });
  const store = await openStore({ path: storeFileIn(config.dataDir) });
  const [key] = await store.keys.list();
  await recordUsageMany(
    store,
    EVIL.map((e, i) => ({
      keyId: key?.id as string,
      at: new Date(Date.now() - i * 1000),
      model: `claude-x${e}`,
      inputTokens: 10,
      outputTokens: 1,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      requestId: null,
      front: "test",
    })),
  );
  await store.close();
});
afterAll(() => home.cleanup());

describe("issue 20 item 13: the CLI prints no outside string raw", () => {
  it("usage --by model: a model name with a line break or control character stays in its cell", async () => {
    const r = await runCli(["usage", "--by", "model"], { home });
    expect(r.code, r.stderr).toBe(0);
    expectEscaped(r.stdout, "usage --by model");
    expect(r.stdout).toContain("claude-x\\x0aFAKE line");
    expect(r.stdout).toContain("claude-x\\x1b[2JFAKE");
    // --json keeps the value itself (JSON escapes it).
    const json = await runCli(["--json", "usage", "--by", "model"], { home });
    const groups = (JSON.parse(json.stdout) as { rows: Array<{ group: string }> }).rows.map((r) => r.group);
    expect(groups.sort()).toEqual(EVIL.map((e) => `claude-x${e}`).sort());
  });

  it("inject -o: the file name is shown escaped, and the file is written under its real name", async () => {
    for (const [i, evil] of EVIL.entries()) {
      const name = `out${i}${evil}`;
      const r = await runCli(["inject", "-i", "/dev/null", "-o", name], { home });
      expect(r.code, r.stderr).toBe(0);
      expectEscaped(r.stdout + r.stderr, `inject -o ${JSON.stringify(name)}`);
      expect(await readFile(join(home.homeDir, name), "utf8")).toBe("");
    }
  });

  it("a usage error quoting an argument is escaped too", async () => {
    for (const evil of EVIL) {
      const r = await runCli(["usage", "--by", `model${evil}`], { home });
      expect(r.code).toBe(2);
      expectEscaped(r.stdout + r.stderr, `--by ${JSON.stringify(evil)}`);
    }
  });
});
