import { existsSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../fixtures/cli.ts";
import { commandLines, EXPORT_ENV, noStoreProblem, realProgram, STDIN } from "../fixtures/every-command.ts";
import { KEY, storeSafetyHome } from "../fixtures/store-safety.ts";

// Issue 20, item 9: only the commands that add a key create a store (SQLite; PostgreSQL: issue20-store-create-pg).
// Split by item out of one file (tests/fixtures/store-safety.ts has what they share) so the suite's workers share
// the items out.

const t = storeSafetyHome();

describe("issue 20 item 9: only the commands that add a key create a store", () => {
  it("item 9: the commands allowed to create are exactly these (adding one is a decision, made here)", async () => {
    const { CREATES_STORE } = await import("../../apps/cli/src/program.ts");
    expect([...CREATES_STORE].sort()).toEqual(
      ["add", "import", "login", "oauth provider add", "profile create"].sort(),
    );
  });

  it("item 9: every other command, run on a missing SQLite store, creates nothing and says there is none", async () => {
    const { CREATES_STORE } = await import("../../apps/cli/src/program.ts");
    const program = await realProgram();
    const lines = commandLines(program, t.home.root).filter((l) => !CREATES_STORE.has(l.path));
    expect(lines.length).toBeGreaterThan(35);
    lines.push({ path: "rotate --finish", args: ["rotate", "--finish"] });
    const env = { ...t.opts.env, ...EXPORT_ENV };
    const problems: string[] = [];
    for (const { path, args } of lines) {
      const r = await runCli(["--json", ...args], {
        ...t.opts,
        env,
        stdin: STDIN[path] ?? "",
        timeoutMs: 15_000,
      });
      if (existsSync(t.home.dataDir) || existsSync(join(t.home.root, "copy.db")))
        problems.push(`${path}: created a store`);
      problems.push(...[noStoreProblem(path, r)].filter((p): p is string => p !== null));
      await rm(t.home.dataDir, { recursive: true, force: true });
    }
    expect(problems).toEqual([]);
  }, 300_000);

  it("item 9: import --dry-run and scan without --import create nothing either", async () => {
    const env = join(t.home.root, "one.env");
    writeFileSync(env, `ANTHROPIC_API_KEY=${KEY}\n`);
    expect((await runCli(["--json", "import", "--from", "dotenv", env, "--dry-run"], t.opts)).code).toBe(0);
    const r = await runCli(["--json", "scan", env], t.opts);
    expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
    expect(existsSync(t.home.dataDir)).toBe(false);
  });
});
