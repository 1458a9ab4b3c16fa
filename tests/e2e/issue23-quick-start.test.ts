import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_PATH, REPO_ROOT, TEST_MASTER_KEY } from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 23 item 1: after the quick start (`pnpm install`, whose `prepare` ends with scripts/link-cli.mjs), `apikey`
// is a command on the PATH, and the commands apikey's own hints print run as printed, from any directory. The link
// goes into a directory the test names (APIKEY_BIN_DIR) or a temporary HOME's ~/.local/bin, never the machine's own.

const LINK = join(REPO_ROOT, "scripts/link-cli.mjs");
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "apikey-quickstart-"));
  chmodSync(root, 0o755);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A shell command line, as a person types it, in a clean environment with HOME and PATH given. */
function sh(line: string, env: Record<string, string>, extra: { uid?: number; stdin?: string } = {}): Run {
  const r = spawnSync("/bin/sh", ["-c", line], {
    cwd: env.HOME,
    env: { LANG: "C.UTF-8", NO_COLOR: "1", ANTHROPIC_BASE_URL: "http://127.0.0.1:9", ...env },
    encoding: "utf8",
    input: extra.stdin ?? "",
    timeout: 60_000,
    ...(extra.uid !== undefined && { uid: extra.uid, gid: extra.uid }),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The `apikey …` commands a text suggests, as printed (placeholders in capitals). */
const suggested = (text: string): string[] =>
  [...text.matchAll(/\bapikey(?: [a-z-]+| [A-Z]+)+/g)].map((m) => m[0]);

function home(name: string, uid?: number): { home: string; bin: string } {
  const dir = join(root, name);
  mkdirSync(dir);
  if (uid !== undefined) chownSync(dir, uid, uid);
  return { home: dir, bin: join(dir, "bin") };
}

describe("issue 23 item 1: `apikey` on the PATH after the quick start", () => {
  it("the link makes `apikey` a command; status and the commands its hints suggest run as printed", () => {
    // The quick start is `pnpm install`: its root `prepare` builds, then links.
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.prepare).toMatch(/^turbo run build\b.*&& node scripts\/link-cli\.mjs$/);
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    expect(readme).toContain("pnpm install && apikey status");
    const { home: h, bin } = home("root-user");
    const env = { HOME: h, PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, APIKEY_BIN_DIR: bin };
    const linked = sh(`node ${LINK}`, env);
    expect(linked.code, linked.stderr).toBe(0);
    expect(linked.stdout).toContain(`${join(bin, "apikey")} runs this checkout`);
    expect(readlinkSync(join(bin, "apikey"))).toBe(CLI_PATH);

    const use = { HOME: h, PATH: env.PATH, APIKEY_MASTER_KEY: TEST_MASTER_KEY };
    const status = sh("apikey status", use);
    expect(status.code, status.stderr).toBe(0);
    const hints = suggested(status.stdout);
    expect(hints).toContain("apikey add NAME");
    // Each hint as printed, NAME filled in: the key on stdin, as a pipe gives it.
    const secret = fakeApiKey("QUICKSTART");
    for (const hint of hints) {
      const r = sh(`${hint.replace(/\bNAME\b/, "first")} --no-validate`, use, { stdin: secret });
      expect(r.code, `${hint}: ${r.stderr}`).toBe(0);
    }
    // The key alone on stdout, from any directory (no pnpm banner, no clone needed).
    const current = sh("cd / && apikey current", use);
    expect(current.stdout).toBe(`${secret}\n`);
    const after = sh("apikey status", use);
    expect(after.code).toBe(0);
    for (const hint of suggested(after.stdout + after.stderr).filter((c) => !/[A-Z]/.test(c))) {
      const r = sh(hint, use);
      expect(r.code, `${hint}: ${r.stderr}`).toBe(0);
    }
  });

  it("`pnpm apikey current` in the clone prints the key alone (no pnpm banner on stdout)", () => {
    const { home: h, bin } = home("pnpm-run");
    const use = {
      HOME: h,
      PATH: `${bin}:${process.env.PATH}`,
      APIKEY_MASTER_KEY: TEST_MASTER_KEY,
      APIKEY_BIN_DIR: bin,
    };
    const secret = fakeApiKey("PNPMRUN");
    expect(sh(`cd ${REPO_ROOT} && pnpm apikey add --no-validate work`, use, { stdin: secret }).code).toBe(0);
    for (const line of [
      "pnpm apikey current",
      "pnpm apikey --profile default current",
      "cd apps/cli && pnpm apikey current",
    ]) {
      const r = sh(`cd ${REPO_ROOT} && ${line}`, use);
      expect(r.code, `${line}: ${r.stderr}`).toBe(0);
      expect(r.stdout, line).toBe(`${secret}\n`);
    }
  });

  it("a directory not on the PATH: the install prints the one line that adds it, and that line works", () => {
    const { home: h, bin } = home("not-on-path");
    const env = { HOME: h, PATH: "/usr/local/bin:/usr/bin:/bin", APIKEY_BIN_DIR: bin };
    const linked = sh(`node ${LINK}`, env);
    const line = linked.stdout.split("\n").find((l) => l.trim().startsWith("export PATH="));
    expect(line, linked.stdout).toBe(`  export PATH="${bin}:$PATH"`);
    const r = sh(`${line?.trim()} && apikey --version`, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+ \(store schema/);
  });

  it("another install's `apikey` is left alone unless --force; a dead link is replaced; CI skips", () => {
    const { home: h, bin } = home("taken");
    mkdirSync(bin);
    const other = join(h, "other-apikey");
    writeFileSync(other, "#!/bin/sh\necho other\n", { mode: 0o755 });
    symlinkSync(other, join(bin, "apikey"));
    const env = { HOME: h, PATH: `${bin}:/usr/bin:/bin`, APIKEY_BIN_DIR: bin };
    const left = sh(`node ${LINK}`, env);
    expect(left.code).toBe(0);
    expect(left.stdout).toContain("left alone");
    expect(left.stdout).toContain("node scripts/link-cli.mjs --force");
    expect(readlinkSync(join(bin, "apikey"))).toBe(other);
    expect(sh(`node ${LINK} --force`, env).code).toBe(0);
    expect(readlinkSync(join(bin, "apikey"))).toBe(CLI_PATH);
    rmSync(join(bin, "apikey"));
    symlinkSync(join(h, "gone.cjs"), join(bin, "apikey"));
    sh(`node ${LINK}`, env);
    expect(readlinkSync(join(bin, "apikey"))).toBe(CLI_PATH);
    rmSync(join(bin, "apikey"));
    const ci = sh(`node ${LINK}`, { HOME: h, PATH: env.PATH, CI: "true" });
    expect(ci.stdout).toBe("");
  });

  const asRoot = process.getuid?.() === 0;
  it.skipIf(!asRoot)(
    "as a normal user (no write access to npm's global bin): ~/.local/bin, then `apikey status`",
    () => {
      const nobody = 65534;
      const { home: h } = home("normal-user", nobody);
      const localBin = join(h, ".local", "bin");
      // /usr/bin is npm's global bin here and only root writes it: the link must go to ~/.local/bin.
      const env = { HOME: h, PATH: `${localBin}:/usr/local/bin:/usr/bin:/bin` };
      const linked = sh(`node ${LINK}`, env, { uid: nobody });
      expect(linked.code, linked.stderr).toBe(0);
      expect(linked.stdout).toContain(`${join(localBin, "apikey")} runs this checkout`);
      const status = sh("apikey status", { ...env, APIKEY_MASTER_KEY: TEST_MASTER_KEY }, { uid: nobody });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain("apikey add NAME");
    },
  );
});
