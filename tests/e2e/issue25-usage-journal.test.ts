import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { addKey, makeHome, type RunOptions, runCli, type TestHome } from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { startProxy, stopAllProxies, usageEvents, usageFolded } from "../fixtures/proxy.ts";

// Issue 25 item 2: `apikey proxy` releases a response once its usage is appended to a journal in the data
// directory, and folds the journal into the store a moment later. A SIGKILL between the responses and the fold
// loses nothing: the next gateway started on the store folds the journal, and counts each event once however
// often it is started again. The real CLI as a child process, the fake Anthropic API upstream.

const KEY = fakeApiKey("JOURNAL_A");
const MODEL = "claude-sonnet-4-5-20250929";
const USAGE = {
  input_tokens: 10,
  output_tokens: 5,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

let fake: FakeAnthropic;
let home: TestHome;
let opts: RunOptions;
let token: string;

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [KEY], usage: USAGE });
  home = await makeHome();
  opts = { home, baseUrl: fake.url };
  expect((await addKey("a", KEY, opts)).code).toBe(0);
  const printed = await runCli(["proxy", "token", "create", "default"], opts);
  expect(printed.code).toBe(0);
  token = printed.stdout.trim();
});
afterEach(stopAllProxies);
afterAll(async () => {
  await fake.close();
  await home.cleanup();
});

const journalDir = () => join(home.dataDir, "gateway-journal");
const journalLines = (pid: number) =>
  (existsSync(journalDir()) ? readdirSync(journalDir()) : [])
    .filter((f) => f.startsWith(`${pid}-`))
    .flatMap((f) => readFileSync(join(journalDir(), f), "utf8").split("\n").filter(Boolean));

describe("issue 25: usage journaled, then folded", () => {
  it("loses nothing to a SIGKILL before the fold, and counts each event once over restarts", async () => {
    const before = (await usageEvents(home)).length;
    const proxy = await startProxy(opts);
    const client = new Anthropic({ apiKey: token, baseURL: proxy.url, maxRetries: 0 });
    const ask = () =>
      client.messages.create({ model: MODEL, max_tokens: 8, messages: [{ role: "user", content: "hi" }] });
    await Promise.all(Array.from({ length: 20 }, ask));
    // At once, within the fold's 50 ms: the responses are complete, their usage is in the journal.
    proxy.child.kill("SIGKILL");
    expect((await proxy.exited).signal).toBe("SIGKILL");
    const pid = proxy.child.pid as number;
    expect(journalLines(pid)).toHaveLength(20);

    // The next start folds the dead gateway's journal before it takes requests, and removes it.
    const next = await startProxy(opts);
    expect((await usageEvents(home)).length - before).toBe(20);
    expect(journalLines(pid)).toHaveLength(0);
    next.child.kill("SIGKILL");
    await next.exited;
    await startProxy(opts);
    expect((await usageEvents(home)).length - before).toBe(20);
  });

  it("folds into the store while it runs, and leaves nothing to fold when stopped", async () => {
    const before = (await usageEvents(home)).length;
    const proxy = await startProxy(opts);
    const client = new Anthropic({ apiKey: token, baseURL: proxy.url, maxRetries: 0 });
    for (let i = 0; i < 5; i++)
      await client.messages.create({
        model: MODEL,
        max_tokens: 8,
        messages: [{ role: "user", content: "hi" }],
      });
    expect((await usageEvents(home)).length - before).toBe(5);
    proxy.child.kill("SIGTERM");
    expect((await proxy.exited).code).toBe(0);
    expect(journalLines(proxy.child.pid as number).join("")).toBe("");
  });
});

/** The requests `apikey usage --json` counts: no gateway is started for it. */
async function usageRequests(): Promise<number> {
  const r = await runCli(["usage", "--json"], opts);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { totals: { requests: number } }).totals.requests;
}

/** The journals' settings rows left in the store. */
function journalRows(): string[] {
  const db = new Database(home.storePath, { readonly: true });
  try {
    const rows = db.prepare("SELECT name FROM settings WHERE name LIKE 'usage-journal:%'").all() as Array<{
      name: string;
    }>;
    return rows.map((r) => r.name);
  } finally {
    db.close();
  }
}

describe("issue 25: reads fold what dead gateways journaled", () => {
  it("`apikey usage` folds a SIGKILLed gateway's journal once, and leaves a running gateway's alone", async () => {
    const before = await usageRequests();
    const ask = (url: string) =>
      new Anthropic({ apiKey: token, baseURL: url, maxRetries: 0 }).messages.create({
        model: MODEL,
        max_tokens: 8,
        messages: [{ role: "user", content: "hi" }],
      });
    // The running gateway starts first: a gateway's start folds dead journals, and none may start after the kill.
    const running = await startProxy(opts);
    for (let i = 0; i < 3; i++) await ask(running.url);
    const killed = await startProxy(opts);
    await Promise.all(Array.from({ length: 7 }, () => ask(killed.url)));
    killed.child.kill("SIGKILL");
    await killed.exited;
    const killedPid = killed.child.pid as number;
    expect(journalLines(killedPid)).toHaveLength(7);

    await usageFolded(home);
    const runningPid = running.child.pid as number;
    const runningJournal = () => readdirSync(journalDir()).filter((f) => f.startsWith(`${runningPid}-`));
    const [liveFile] = runningJournal();
    const liveText = readFileSync(join(journalDir(), liveFile as string), "utf8");
    const liveRow = `usage-journal:${(liveFile as string).replace(/\.jsonl$/, "")}`;
    expect(journalRows()).toContain(liveRow);

    // No gateway starts: the read itself folds the dead one's 7 events, once however often it runs.
    expect((await usageRequests()) - before).toBe(10);
    expect(journalLines(killedPid)).toHaveLength(0);
    expect((await usageRequests()) - before).toBe(10);
    // The running gateway's journal and its row are untouched; the dead one's row is gone.
    expect(runningJournal()).toEqual([liveFile]);
    expect(readFileSync(join(journalDir(), liveFile as string), "utf8")).toBe(liveText);
    expect(journalRows()).toEqual([liveRow]);

    // Stopped, it retires its own journal and row: nothing is left for anyone to fold.
    running.child.kill("SIGTERM");
    expect((await running.exited).code).toBe(0);
    expect(runningJournal()).toEqual([]);
    expect(journalRows()).toEqual([]);
    expect((await usageRequests()) - before).toBe(10);
  });
});

describe("issue 25: a journal directory that cannot be read", () => {
  it("does not stop a read: it answers from the store and says the journal is not counted yet", async () => {
    const other = await makeHome();
    try {
      mkdirSync(other.dataDir, { recursive: true });
      writeFileSync(join(other.dataDir, "gateway-journal"), "not a directory");
      const r = await runCli(["usage", "--json"], { home: other, baseUrl: fake.url });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ totals: { requests: 0 } });
      expect(r.stderr).toContain("not counted yet (ENOTDIR)");
    } finally {
      await other.cleanup();
    }
  });
});
