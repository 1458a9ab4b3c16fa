import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRecognisedKey, maskKey } from "../../packages/core/src/key-format.ts";
import { jsonError, makeHome, type RunOptions, runCli, snapshotDir, type TestHome } from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeAdminKey, fakeApiKey, fakeOauthToken } from "../fixtures/keys.ts";

// Issue 21: the CLI's argv refusal, its usage-error redaction and `scan` all apply core's one key-shape rule
// (packages/core/src/key-shapes.ts). Before, the argv check and the redaction were regexes of their own that read
// only plain ASCII: a fullwidth, zero-width, look-alike or mistyped key went through and was echoed.

const KEY = fakeApiKey("CLI21");
const BODY = KEY.slice("sk-ant-".length);
const NEEDLE = BODY.slice(20, 40);
const FULLWIDTH = (s: string) =>
  [...s]
    .map((c) => (c >= "!" && c <= "~" ? String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0) : c))
    .join("");

const LOOSE: Record<string, string> = {
  plain: KEY,
  upper: KEY.toUpperCase(),
  admin: fakeAdminKey("CLI21"),
  fullwidth: FULLWIDTH(KEY),
  "zero-width after the prefix": `sk-ant-\u200b${BODY}`,
  "Cyrillic prefix": `ѕк-аnt-${BODY}`,
  "space after the prefix": `sk-ant- ${BODY}`,
  "no kind": `sk-ant-${BODY.slice(6)}`,
  "mistyped version": `sk-ant-api3-${BODY.slice(6)}`,
  "one character short": `${KEY.slice(0, -3)}AA`,
};

let home: TestHome;
const opts = (extra: Partial<RunOptions> = {}): RunOptions => ({ home, ...extra });

beforeAll(async () => {
  home = await makeHome();
  // The starting store, made in process; the refusals below run the CLI.
  await inProcess(home, (app) =>
    app.keys.add({ name: "work", secret: fakeApiKey("CLI21_STORED"), validate: false }),
  );
});
afterAll(() => home?.cleanup());

describe("issue 21: the CLI applies core's one key-shape rule", () => {
  for (const [what, spelling] of Object.entries(LOOSE)) {
    it(`refuses a key in argv, spelled ${what}: exit 2, nothing echoed, nothing written`, async () => {
      const before = await snapshotDir(home.dataDir);
      for (const args of [
        ["rename", "work", spelling],
        ["--json", "use", spelling],
      ]) {
        const r = await runCli(args, opts());
        expect(r.code, `${what} ${args[0]}: ${r.stderr}`).toBe(2);
        expect(r.stdout + r.stderr).not.toContain(NEEDLE);
        expect(r.stdout + r.stderr).not.toContain(FULLWIDTH(NEEDLE));
        if (args[0] === "--json") expect(jsonError(r).code).toBe("E_USAGE");
        else expect(r.stderr).toContain("never reads keys from arguments");
      }
      expect(await snapshotDir(home.dataDir)).toEqual(before);
    });
  }

  it("a usage error quoting a credential prefix, however spelled, shows it redacted", async () => {
    for (const option of ["--sk-ant-oops", `--${FULLWIDTH("sk-ant-")}oops`, "--s\u200bk-ant-oops"]) {
      for (const json of [false, true]) {
        const r = await runCli(json ? ["--json", "list", option] : ["list", option], opts());
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("[redacted]");
        expect(r.stderr).not.toContain("oops");
      }
    }
  });

  it("scan reports exactly the spellings core recognises as keys", async () => {
    const dir = join(home.root, "issue21-scan");
    await mkdir(dir, { recursive: true });
    const spellings = { ...LOOSE, oauth: fakeOauthToken("CLI21"), "too long": `${KEY.slice(0, -2)}xAA` };
    const lines = Object.values(spellings);
    await writeFile(join(dir, "notes.txt"), `${lines.map((s) => `token = ${s}`).join("\n")}\n`);
    const r = await runCli(["--json", "scan", dir], opts());
    expect(r.code, r.stderr).toBe(1);
    const found: Array<{ line: number; masked: string }> = JSON.parse(r.stdout).findings;
    const expected = lines.flatMap((s, i) =>
      isRecognisedKey(s) ? [{ line: i + 1, masked: maskKey(s) }] : [],
    );
    expect(expected.map((f) => f.line)).toEqual([1, 3, 11]);
    expect(found.map((f) => ({ line: f.line, masked: f.masked }))).toEqual(expected);
  });
});
