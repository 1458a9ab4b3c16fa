import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, closeSync, openSync, writeSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_PATH, cliEnv, makeHome, type TestHome } from "../fixtures/cli.ts";
import { fakeApiKey, fakeOauthToken, keyBody } from "../fixtures/keys.ts";

// Issue 20 item 12: `scan` streams every file in bounded memory (a key at the end of a 300 MB file, in the middle
// of a 50 MB line, across a read-chunk boundary), reports what it skipped and why (never counting it as searched),
// and always ends with a one-line summary on stderr. Found keys print as before.

const AT_END = fakeApiKey("SCAN_BIG_END");
const IN_LINE = fakeApiKey("SCAN_LONG_LINE");
const ACROSS = fakeOauthToken("SCAN_ACROSS");
const MB = 1024 * 1024;
const hint = (s: string) => `sk-ant-api03-…${s.slice(-4)}`;

let home: TestHome;
let root: string;
let hook: string;

interface ScanRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the CLI process, in MiB. */
  peakMiB: number;
}

/** Runs `apikey scan` with a hook that reports its peak RSS; `uid` runs it as another user (when we are root). */
async function scan(args: string[], uid?: number): Promise<ScanRun> {
  const rssFile = join(root, `rss-${Math.random().toString(16).slice(2)}`);
  const env = { ...cliEnv({ home }), APIKEY_TEST_RSS_FILE: rssFile };
  const child = spawn(process.execPath, ["--require", hook, CLI_PATH, "scan", ...args], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    ...(uid !== undefined && { uid, gid: uid }),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const peakKiB = Number(await readFile(rssFile, "utf8").catch(() => "0"));
  return { code, stdout, stderr, peakMiB: peakKiB / 1024 };
}

beforeAll(async () => {
  home = await makeHome();
  root = await mkdtemp(join(tmpdir(), "apikey-scan-large-"));
  // World-readable so the unreadable-file case can run as another user when the tests run as root.
  await chmod(root, 0o755);
  hook = join(root, "peak-rss.cjs");
  await writeFile(
    hook,
    'process.on("exit", () => require("node:fs").writeFileSync(process.env.APIKEY_TEST_RSS_FILE, String(process.resourceUsage().maxRSS)));\n',
  );
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await home?.cleanup();
});

describe("issue 20 item 12: scan streams files of any size in bounded memory", () => {
  it("finds a key at the end of a 300 MB file, in a 50 MB line, and across a chunk boundary", async () => {
    const big = join(root, "big");
    await mkdir(big);
    // 300 MB of holes (reads as zeros), then a line holding the key.
    const sparse = join(big, "sparse.bin");
    await writeFile(sparse, "");
    await truncate(sparse, 300 * MB);
    appendFileSync(sparse, `\nKEY=${AT_END}\n`);
    // One 50 MB line: words, the key in the middle, more words, no newline at all.
    const line = join(big, "one-line.txt");
    const fd = openSync(line, "w");
    const words = Buffer.from("lorem ipsum dolor sit amet ".repeat(40_000));
    for (let written = 0; written < 25 * MB; written += words.length) writeSync(fd, words);
    writeSync(fd, `"${IN_LINE}" `);
    for (let written = 0; written < 25 * MB; written += words.length) writeSync(fd, words);
    closeSync(fd);
    // A key that straddles 1 MiB, 2 MiB…: wherever the reader cuts, the key is split somewhere.
    const across = join(big, "across.txt");
    let text = `${"#".repeat(MB - 40)} ${ACROSS}\n`;
    text += `${"#".repeat(2 * MB - 5 - text.length - 1)} ${ACROSS}\n`;
    expect(text.indexOf(ACROSS)).toBeLessThan(MB);
    expect(text.lastIndexOf(ACROSS)).toBe(2 * MB - 5);
    await writeFile(across, text);

    const r = await scan(["--json", big]);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.files).toBe(3);
    const rows = [...out.findings].sort((a, b) =>
      `${a.where}:${a.line}`.localeCompare(`${b.where}:${b.line}`),
    );
    expect(rows.map((f: { where: string; line: number }) => [f.where.slice(big.length + 1), f.line])).toEqual(
      [
        ["across.txt", 1],
        ["across.txt", 2],
        ["one-line.txt", 1],
        ["sparse.bin", 2],
      ],
    );
    expect(out.skipped).toEqual([]);
    for (const k of [AT_END, IN_LINE, ACROSS]) expect(r.stdout + r.stderr).not.toContain(keyBody(k));
    // A whole-file read of the 300 MB file would take more than that alone; streaming stays near a bare run (~60 MiB).
    console.log(`scan of 350 MB in 3 files: peak RSS ${r.peakMiB.toFixed(0)} MiB`);
    expect(r.peakMiB).toBeGreaterThan(0);
    expect(r.peakMiB).toBeLessThan(120);

    const human = await scan([big]);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`sparse.bin:2  ${hint(AT_END)}  no store`);
    expect(human.stdout).toContain(`one-line.txt:1  ${hint(IN_LINE)}  no store`);
    expect(human.stderr).toContain("4 key(s) found in 3 file(s) searched; 0 skipped.");
  }, 120_000);
});

describe("issue 20 item 12: scan --git reads long lines of history in bounded memory", () => {
  it("a key in a 20 MB added line is found, and a long removed line is passed over", async () => {
    const repo = join(root, "repo");
    await mkdir(repo);
    const git = (...args: string[]) => {
      const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], {
        cwd: repo,
      });
      expect(r.status, r.stderr.toString()).toBe(0);
    };
    const words = "lorem ipsum dolor sit amet ".repeat(400_000); // ~10.8 MB
    git("init", "-q");
    await writeFile(join(repo, "data.txt"), `short line\n${words}"${IN_LINE}" ${words}\nend\n`);
    git("add", ".");
    git("commit", "-qm", "long line");
    await writeFile(join(repo, "data.txt"), `short line\n${AT_END}\nend\n`);
    git("commit", "-qam", "replace it");

    const started = performance.now();
    const r = await scan(["--json", "--git", repo]);
    const seconds = (performance.now() - started) / 1000;
    expect(r.code, r.stderr).toBe(1);
    const rows = JSON.parse(r.stdout).findings.map((f: { where: string; line: number; masked: string }) => [
      f.where.replace(/^[0-9a-f]{12}:/, ""),
      f.line,
      f.masked,
    ]);
    expect(rows.sort()).toEqual(
      [
        ["data.txt", 2, hint(AT_END)],
        ["data.txt", 2, hint(IN_LINE)],
        [join(repo, "data.txt"), 2, hint(AT_END)],
      ].sort(),
    );
    console.log(`scan --git of a 21 MB line: ${seconds.toFixed(1)} s, peak RSS ${r.peakMiB.toFixed(0)} MiB`);
    expect(r.peakMiB).toBeLessThan(150);
    expect(seconds).toBeLessThan(60); // a whole-line reader re-splits the growing line on every chunk (~85 s here)
  }, 120_000);
});

describe("issue 20 item 12: scan says what it skipped and why, and does not count it as searched", () => {
  it("symlinks, a FIFO, an unreadable file and an unreadable directory", async () => {
    const tree = join(root, "tree");
    await mkdir(join(tree, "sub"), { recursive: true });
    await chmod(tree, 0o755);
    await chmod(join(tree, "sub"), 0o755);
    await writeFile(join(tree, "plain.txt"), "nothing here\n", { mode: 0o644 });
    await writeFile(join(tree, "sub/leak.env"), `K=${AT_END}\n`, { mode: 0o644 });
    await symlink(join(tree, "sub/leak.env"), join(tree, "link-to-file"));
    await symlink(join(tree, "missing"), join(tree, "dangling"));
    await symlink(join(tree, "sub"), join(tree, "link-to-dir"));
    expect(spawnSync("mkfifo", [join(tree, "pipe")]).status).toBe(0);
    await writeFile(join(tree, "secret.txt"), `K=${IN_LINE}\n`, { mode: 0o000 });
    await mkdir(join(tree, "closed"), { mode: 0o000 });
    // Root reads anything: run as nobody then, for whom the 0000 file and directory are closed.
    const asUser = process.getuid?.() === 0 ? 65534 : undefined;

    const r = await scan(["--json", tree], asUser);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.files).toBe(2);
    expect(out.findings.map((f: { where: string }) => f.where)).toEqual([join(tree, "sub/leak.env")]);
    const skipped = Object.fromEntries(
      out.skipped.map((s: { path: string; reason: string; code?: string }) => [
        s.path.slice(tree.length + 1),
        s.code ? `${s.reason} ${s.code}` : s.reason,
      ]),
    );
    expect(skipped).toEqual({
      "link-to-file": "symlink",
      dangling: "symlink",
      "link-to-dir": "symlink",
      pipe: "not_regular",
      "secret.txt": "unreadable EACCES",
      closed: "directory_unreadable EACCES",
    });

    const human = await scan([tree], asUser);
    expect(human.code).toBe(1);
    expect(human.stdout.trim().split("\n")).toEqual([
      `${join(tree, "sub/leak.env")}:1  ${hint(AT_END)}  no store`,
    ]);
    expect(human.stderr).toContain(`skipped ${join(tree, "pipe")}: not a regular file`);
    expect(human.stderr).toContain(`skipped ${join(tree, "secret.txt")}: could not be opened (EACCES)`);
    expect(human.stderr).toContain(`skipped ${join(tree, "dangling")}: a symbolic link (not followed)`);
    expect(human.stderr).toContain("1 key(s) found in 2 file(s) searched; 6 skipped (listed above).");

    // A special file named directly is skipped and said so too, not counted as a searched file.
    const fifo = await scan(["--json", join(tree, "pipe")]);
    expect(fifo.code).toBe(0);
    expect(JSON.parse(fifo.stdout)).toMatchObject({ files: 0, skipped: [{ reason: "not_regular" }] });
  });

  it("a clean run still prints its one-line summary on stderr, and nothing on stdout", async () => {
    const clean = join(root, "clean");
    await mkdir(clean);
    await writeFile(join(clean, "a.txt"), "no keys\n");
    await writeFile(join(clean, "b.txt"), "sk-ant-api03-short\n");
    const r = await scan([clean]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toBe("0 key(s) found in 2 file(s) searched; 0 skipped.");
  });
});
