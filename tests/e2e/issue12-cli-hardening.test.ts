import { chmodSync, statSync } from "node:fs";
import { join } from "node:path";
import { keyFileSource } from "@apikey/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonError, makeHome, type RunOptions, runCli, snapshotDir, type TestHome } from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 12, items 9 and 12 (the CLI's parts), against an existing store.

const KEY = fakeApiKey("HARDEN_CLI");
// Any raw C0/C1 control character other than the line breaks we print ourselves.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
let home: TestHome;
const opts = (): RunOptions => ({ home });

// The starting stores are made in process; what is tested runs the CLI against them.
beforeAll(async () => {
  home = await makeHome();
  await inProcess(home, (app) => app.keys.add({ name: "work", secret: KEY, validate: false }));
});
afterAll(() => home?.cleanup());

describe("item 9: names and profiles from arguments are never echoed raw", () => {
  const cases: Array<[string, string[]]> = [
    ["use with a terminal-clearing name", ["use", "x\u001b[2J"]],
    ["a profile with an OSC title and a fake line", ["-p", "x\u001b]0;T\u0007\nfake line", "current"]],
    ["list under that profile", ["-p", "x\u001b]0;T\u0007\nfake line", "list"]],
    ["an unknown command with escapes", ["bo\u001b[2Jgus"]],
    ["an unknown option with a C1 CSI", ["list", "--x\u009b2J"]],
    ["rename to an escape", ["rename", "work", "y\u001b[31m"]],
    ["profile create with a newline", ["profile", "create", "a\nb"]],
    ["a mistyped secret as a name", ["show", "FAKE_TEST_secret\u0007"]],
  ];
  for (const [what, args] of cases) {
    it(`${what}: exit 2, no raw control characters, the name not echoed`, async () => {
      for (const json of [false, true]) {
        const r = await runCli(json ? ["--json", ...args] : args, opts());
        expect(r.code, r.stderr).toBe(2);
        expect(r.stdout).toBe("");
        expect(RAW_CONTROL.test(r.stderr), JSON.stringify(r.stderr)).toBe(false);
        expect(r.stderr).not.toContain("fake line\n");
        if (json) expect(["E_NAME_INVALID", "E_USAGE"]).toContain(jsonError(r).code);
      }
    });
  }

  it("an invalid name gets E_NAME_INVALID before the store is touched, and is not repeated", async () => {
    const before = await snapshotDir(home.dataDir);
    const r = await runCli(["--json", "use", "x\u001b[2J"], opts());
    expect(jsonError(r).code).toBe("E_NAME_INVALID");
    expect(r.stderr).not.toContain("2J");
    expect(await snapshotDir(home.dataDir)).toEqual(before);
  });
});

describe("item 12: smaller inconsistencies", () => {
  it("item 12: list with a missing profile is E_PROFILE_NOT_FOUND (exit 1) and with an invalid one E_NAME_INVALID (exit 2), like current", async () => {
    for (const cmd of ["list", "current"]) {
      const missing = await runCli(["--json", "-p", "nope", cmd], opts());
      expect(missing.code, `${cmd}: ${missing.stderr}`).toBe(1);
      expect(jsonError(missing).code).toBe("E_PROFILE_NOT_FOUND");
      const invalid = await runCli(["--json", "-p", "no pe", cmd], opts());
      expect(invalid.code).toBe(2);
      expect(jsonError(invalid).code).toBe("E_NAME_INVALID");
    }
    const fine = await runCli(["--json", "-p", "default", "list"], opts());
    expect(fine.code, fine.stderr).toBe(0);
  });

  it("item 12: audit --limit 0|-1|abc|1e99 is a usage error (exit 2), 1 gives one entry", async () => {
    for (const bad of ["0", "-1", "abc", "1e99", "2.5", "", "100001"]) {
      const r = await runCli(["--json", "audit", `--limit=${bad}`], opts());
      expect(r.code, `--limit ${bad}: ${r.stderr}`).toBe(2);
      expect(jsonError(r).code).toBe("E_USAGE");
    }
    const one = await runCli(["--json", "audit", "--limit", "1"], opts());
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toHaveLength(1);
  });

  it("item 12: proxy --host 0.0.0.0 refuses before creating or auditing a gateway token", async () => {
    const before = await snapshotDir(home.dataDir);
    const r = await runCli(["--json", "proxy", "--host", "0.0.0.0", "--port", "0"], opts());
    expect(r.code).toBe(1);
    expect(jsonError(r).code).toBe("E_PROXY_UNSAFE_HOST");
    expect(await snapshotDir(home.dataDir)).toEqual(before);
    const audit = await inProcess(home, (app) => app.audit({ limit: 50 }));
    expect(JSON.stringify(audit)).not.toMatch(/gateway|proxy/i);
  });
});

describe("item 12: a loosened master key file", () => {
  let kf: TestHome;
  beforeAll(async () => {
    kf = await makeHome();
    // A store protected by a key file, as the CLI makes one when nothing else is offered.
    await inProcess(kf, (app) => app.keys.add({ name: "work", secret: KEY, validate: false }), [
      keyFileSource(kf.dataDir),
    ]);
  });
  afterAll(() => kf?.cleanup());
  const kfOpts = (): RunOptions => ({ home: kf, env: { APIKEY_MASTER_KEY: undefined } });
  const keyFile = () => join(kf.dataDir, "master.key");

  it("item 12: a key file loosened to 0644 is reported by status and set back to 0600", async () => {
    chmodSync(keyFile(), 0o644);
    const r = await runCli(["--json", "status"], kfOpts());
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { warnings: string[] };
    expect(doc.warnings.join("\n")).toMatch(/0644.*0600/);
    expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
  });

  it("item 12: any command that reads the key file tightens a loosened one", async () => {
    // `current` takes the fast path, `env` the full program: both read the key file.
    for (const args of [["current"], ["env"]]) {
      chmodSync(keyFile(), 0o640);
      const r = await runCli(args, kfOpts());
      expect(r.code, r.stderr).toBe(0);
      expect(statSync(keyFile()).mode & 0o777, args.join(" ")).toBe(0o600);
    }
  });
});
