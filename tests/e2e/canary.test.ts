import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliResult,
  filesContaining,
  leakNeedles,
  makeHome,
  type RunOptions,
  runCli,
  type TestHome,
  walk,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey, keyBody } from "../fixtures/keys.ts";

// A canary key goes through every command. Afterwards its bytes (raw, base64, hex, UTF-16, body alone) must be in no
// file under the temp root (store, -wal, -shm, HOME), in no output except the three commands whose job is to hand it
// out, and in no audit row.

const CANARY = fakeApiKey("CANARY");
const SECOND = fakeApiKey("CANARY_SECOND");
const NEEDLES = leakNeedles(CANARY, keyBody(CANARY));
// `reveal` prints the secret only when asked by name, like current/env/exec.
// `inject` without -o prints the filled template: handing the key out is its job too.
const MAY_PRINT = new Set(["current", "env", "exec", "reveal", "inject"]);
// Where `scan` finds the canary planted: outside the temp root, whose files must never hold it.
const PLANTED = mkdtempSync(join(tmpdir(), "apikey-canary-scan-"));

let fake: FakeAnthropic;
let home: TestHome;
const opts = (extra: Partial<RunOptions> = {}): RunOptions => ({ home, baseUrl: fake.url, ...extra });

interface Step {
  label: string;
  args: string[];
  stdin?: string;
  /** The command in the args (after global options), for the may-print rule. */
  command: string;
}

const steps: Step[] = [
  { label: "add", command: "add", args: ["add", "canary"], stdin: CANARY },
  { label: "add --json (duplicate)", command: "add", args: ["--json", "add", "again"], stdin: CANARY },
  { label: "add (malformed canary)", command: "add", args: ["add", "bad"], stdin: `${CANARY}!` },
  { label: "add second", command: "add", args: ["add", "--no-validate", "second"], stdin: SECOND },
  { label: "list", command: "list", args: ["list"] },
  { label: "list --json", command: "list", args: ["--json", "list"] },
  { label: "use", command: "use", args: ["use", "canary"] },
  { label: "show", command: "show", args: ["show", "canary"] },
  { label: "show --json", command: "show", args: ["--json", "show", "canary"] },
  { label: "reveal", command: "reveal", args: ["reveal", "canary"] },
  { label: "current", command: "current", args: ["current"] },
  { label: "env", command: "env", args: ["env"] },
  {
    label: "exec",
    command: "exec",
    args: [
      "exec",
      "--no-masking",
      "--",
      process.execPath,
      "-e",
      "process.stdout.write(process.env.ANTHROPIC_API_KEY)",
    ],
  },
  // Masked by default: the child sees the key, its output shows only the hint.
  {
    label: "exec (masked)",
    command: "exec (masked)",
    args: ["exec", "--", process.execPath, "-e", "process.stdout.write(process.env.ANTHROPIC_API_KEY)"],
  },
  {
    label: "exec --dotenv (reference, masked)",
    command: "exec (masked)",
    args: [
      "exec",
      "--dotenv",
      "refs.env",
      "--",
      process.execPath,
      "-e",
      "console.error(process.env.CANARY_REF)",
    ],
  },
  { label: "inject (stdout)", command: "inject", args: ["inject", "-i", "refs.env"] },
  { label: "scan (planted)", command: "scan", args: ["scan", PLANTED] },
  { label: "scan --json (planted)", command: "scan", args: ["--json", "scan", PLANTED] },
  { label: "validate (valid)", command: "validate", args: ["validate", "canary"] },
  { label: "validate --json", command: "validate", args: ["--json", "validate", "canary"] },
  { label: "rename", command: "rename", args: ["rename", "canary", "bird"] },
  { label: "disable", command: "disable", args: ["disable", "bird"] },
  { label: "current (disabled)", command: "current", args: ["current"] },
  { label: "current --json (disabled)", command: "current", args: ["--json", "current"] },
  { label: "enable", command: "enable", args: ["enable", "bird"] },
  { label: "profile create", command: "profile", args: ["profile", "create", "cage"] },
  { label: "profile list", command: "profile", args: ["profile", "list"] },
  { label: "profile list --json", command: "profile", args: ["--json", "profile", "list"] },
  { label: "--profile list", command: "list", args: ["--profile", "cage", "list"] },
  { label: "profile delete", command: "profile", args: ["profile", "delete", "cage"] },
  { label: "status", command: "status", args: ["status"] },
  { label: "status --json", command: "status", args: ["--json", "status"] },
  { label: "audit", command: "audit", args: ["audit"] },
  { label: "audit --json", command: "audit", args: ["--json", "audit"] },
  { label: "unknown name", command: "use", args: ["--json", "use", "nope"] },
  { label: "unknown command", command: "frobnicate", args: ["frobnicate"] },
];

const results: Array<{ step: Step; result: CliResult; filesWithSecret: string[] }> = [];

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [CANARY] });
  home = await makeHome();
  writeFileSync(join(PLANTED, "leak.env"), `ANTHROPIC_API_KEY=${CANARY}\n`);
  // A committed .env holds a reference, never the key.
  await writeFile(join(home.homeDir, "refs.env"), "CANARY_REF=apikey://default/canary\n");
  for (const step of steps) {
    if (step.label === "validate --json") fake.setBehaviour(CANARY, { status: 500 });
    const result = await runCli(step.args, opts(step.stdin === undefined ? {} : { stdin: step.stdin }));
    // Scan after every command: a -wal or temp file may exist only between two of them.
    results.push({ step, result, filesWithSecret: await filesContaining(home.root, NEEDLES) });
  }
  fake.clearBehaviour(CANARY);
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await home?.cleanup();
  rmSync(PLANTED, { recursive: true, force: true });
});

/** Without this, a CLI that fails at every step would "leak nothing" and pass. */
async function expectExercised() {
  const files = (await walk(home.dataDir)).map((f) => f.slice(home.dataDir.length + 1));
  expect(files).toContain("apikey.db");
  const byLabel = (l: string) => results.find((r) => r.step.label === l)?.result;
  expect(byLabel("add")?.code).toBe(0);
  expect(byLabel("current")?.stdout).toBe(`${CANARY}\n`);
  expect(byLabel("exec")?.stdout).toBe(CANARY);
  expect(byLabel("exec (masked)")?.stdout).toBe(`sk-ant-api03-…${CANARY.slice(-4)}`);
  expect(byLabel("exec --dotenv (reference, masked)")?.stderr).toBe(`sk-ant-api03-…${CANARY.slice(-4)}\n`);
  expect(byLabel("reveal")?.stdout).toBe(`${CANARY}\n`);
  expect(byLabel("inject (stdout)")?.stdout).toBe(`CANARY_REF=${CANARY}\n`);
  expect(byLabel("scan (planted)")?.stdout).toContain(
    `leak.env:1  sk-ant-api03-…${CANARY.slice(-4)}  stored as default/canary`,
  );
}

describe("the canary secret does not leak", () => {
  it("into no file under the data dir or HOME, at any point", async () => {
    await expectExercised();
    const leaks = results
      .filter((r) => r.filesWithSecret.length > 0)
      .map((r) => `${r.step.label}: ${r.filesWithSecret}`);
    expect(leaks).toEqual([]);
  });

  it("into no stderr, and no stdout except current/env/exec", async () => {
    await expectExercised();
    const leaks: string[] = [];
    for (const { step, result } of results) {
      const contains = (text: string) => NEEDLES.some((n) => Buffer.from(text, "utf8").includes(n));
      if (contains(result.stderr)) leaks.push(`${step.label}: stderr`);
      if (!MAY_PRINT.has(step.command) && contains(result.stdout)) leaks.push(`${step.label}: stdout`);
    }
    expect(leaks).toEqual([]);
  });

  it("into no audit row", async () => {
    // The rows read back in process (the `audit` steps above already checked the CLI's output of them).
    const rows = await inProcess(home, (app) => app.audit({ limit: 50 }));
    expect(rows.length).toBeGreaterThan(0);
    const text = JSON.stringify(rows.map((e) => ({ ...e, at: e.at.toISOString() })));
    for (const n of NEEDLES) expect(Buffer.from(text).includes(n)).toBe(false);
  });

  it("nor after the key is deleted (freed pages, WAL)", async () => {
    const del = await runCli(["delete", "--yes", "bird"], opts());
    expect(del.code, del.stderr).toBe(0);
    expect(await filesContaining(home.root, NEEDLES)).toEqual([]);
  });
});
