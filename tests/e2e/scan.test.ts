import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHome, type RunOptions, runCli, type TestHome } from "../fixtures/cli.ts";
import { startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey, keyBody } from "../fixtures/keys.ts";

// `apikey scan`: planted keys in a tree and in git history are found and never printed; look-alikes are not.

const STORED = fakeApiKey("SCAN_STORED");
const LEAKED = fakeApiKey("SCAN_LEAKED");
const GONE = fakeApiKey("SCAN_HISTORY");
const hint = (s: string) => `sk-ant-api03-…${s.slice(-4)}`;

let home: TestHome;
const opts = (extra: Partial<RunOptions> = {}): RunOptions => ({ home, ...extra });
const expectNoKey = (text: string) => {
  for (const k of [STORED, LEAKED, GONE]) expect(text).not.toContain(keyBody(k));
};
const git = (cwd: string, ...args: string[]) => {
  const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { cwd });
  expect(r.status, r.stderr.toString()).toBe(0);
};

beforeAll(async () => {
  home = await makeHome();
  // The stored key is set up in process; the `scan` runs are what is tested.
  await inProcess(home, (app) => app.keys.add({ name: "work", secret: STORED, validate: false }));
  const tree = join(home.root, "tree");
  await mkdir(join(tree, "src/deep"), { recursive: true });
  await writeFile(join(tree, "src/config.js"), `// config\nconst a = 1;\nexport const key = "${STORED}";\n`);
  await writeFile(join(tree, "src/deep/.env"), `X=1\nANTHROPIC_API_KEY=${LEAKED}\n`);
  await writeFile(join(tree, "README"), "nothing here\n");
  const looks = join(home.root, "lookalikes");
  await mkdir(looks);
  const k = fakeApiKey("SCAN_LOOK");
  await writeFile(
    join(looks, "a.txt"),
    [
      `${k}x`,
      `${k.slice(0, -3)}AA`,
      k.replace("api03", "api04"),
      k.replace("sk-ant-", "sk-xyz-"),
      `x${k}`,
    ].join("\n"),
  );
  const repo = join(home.root, "repo");
  await mkdir(repo);
  git(repo, "init", "-q");
  await writeFile(join(repo, "app.env"), `KEY=${GONE}\n`);
  git(repo, "add", ".");
  git(repo, "commit", "-qm", "add");
  await writeFile(join(repo, "app.env"), "KEY=apikey://default/work\n");
  git(repo, "commit", "-qam", "remove");
});
afterAll(async () => {
  await home?.cleanup();
});

describe("apikey scan", () => {
  it("finds keys in a tree with file, line, masked hint and stored name; exit 1; never prints a key", async () => {
    const r = await runCli(["--json", "scan", join(home.root, "tree")], opts());
    expect(r.code).toBe(1);
    expectNoKey(r.stdout + r.stderr);
    const out = JSON.parse(r.stdout);
    expect(out.files).toBe(3);
    const rows = [...out.findings].sort((a, b) => a.where.localeCompare(b.where));
    expect(rows).toEqual([
      {
        where: join(home.root, "tree/src/config.js"),
        line: 3,
        masked: hint(STORED),
        stored: { profile: "default", name: "work" },
      },
      { where: join(home.root, "tree/src/deep/.env"), line: 2, masked: hint(LEAKED), stored: null },
    ]);
    const human = await runCli(["scan", join(home.root, "tree")], opts());
    expect(human.stdout).toContain(`config.js:3  ${hint(STORED)}  stored as default/work`);
    expectNoKey(human.stdout + human.stderr);
  });

  it("finds nothing in look-alikes and exits 0", async () => {
    const r = await runCli(["--json", "scan", join(home.root, "lookalikes")], opts());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).findings).toEqual([]);
  });

  it("--git finds a key added then removed", async () => {
    const repo = join(home.root, "repo");
    const plain = await runCli(["--json", "scan", repo], opts());
    expect(plain.code).toBe(0);
    const r = await runCli(["--json", "scan", "--git", repo], opts());
    expect(r.code).toBe(1);
    expectNoKey(r.stdout + r.stderr);
    expect(JSON.parse(r.stdout).findings).toEqual([
      { where: expect.stringMatching(/^[0-9a-f]{12}:app\.env$/), line: 1, masked: hint(GONE), stored: null },
    ]);
  });

  it("--import stores what it found, then it shows as stored", async () => {
    const r = await runCli(["--json", "scan", "--import", join(home.root, "tree/src/deep")], opts());
    expect(r.code).toBe(1);
    expectNoKey(r.stdout + r.stderr);
    expect(JSON.parse(r.stdout).findings[0].stored).toEqual({ profile: "default", name: "found-1" });
    const again = await runCli(["--json", "scan", join(home.root, "tree/src/deep")], opts());
    expect(JSON.parse(again.stdout).findings[0].stored).toEqual({ profile: "default", name: "found-1" });
  });

  it("without a store, scans and says so, creating nothing", async () => {
    const empty = await makeHome();
    try {
      const r = await runCli(["--json", "scan", join(home.root, "tree/src/deep")], { home: empty });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).findings[0].stored).toBeNull();
      const { existsSync } = await import("node:fs");
      expect(existsSync(empty.dataDir)).toBe(false);
    } finally {
      await empty.cleanup();
    }
  });

  it("--validate says whether each found key still works, asking once per key", async () => {
    const fake = await startFakeAnthropic({ validKeys: [STORED] });
    try {
      const r = await runCli(
        ["--json", "scan", "--validate", join(home.root, "tree")],
        opts({ baseUrl: fake.url }),
      );
      expect(r.code).toBe(1);
      expectNoKey(r.stdout + r.stderr);
      const rows = JSON.parse(r.stdout).findings;
      const byHint = (k: string) => rows.find((row: { masked: string }) => row.masked === hint(k));
      expect(byHint(STORED).validation).toBe("valid");
      expect(byHint(LEAKED).validation).toBe("invalid");
      expect(fake.requestsFor(STORED)).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });
});
