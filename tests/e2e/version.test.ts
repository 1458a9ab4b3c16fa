import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHome, REPO_ROOT, runCli, type TestHome } from "../fixtures/cli.ts";

// `apikey --version`: the package version first (scripts cut it out), then the newest schema the build writes.
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "apps/cli/package.json"), "utf8")) as { version: string };
const journal = JSON.parse(
  readFileSync(join(REPO_ROOT, "packages/storage/drizzle/meta/_journal.json"), "utf8"),
) as { entries: Array<{ tag: string }> };

let home: TestHome;
beforeAll(async () => {
  home = await makeHome();
});
afterAll(() => home.cleanup());

describe("apikey --version", () => {
  it.each([["--version"], ["-V"]])(
    "%s prints the CLI version and the store schema it writes",
    async (flag) => {
      const result = await runCli([flag], { home });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${pkg.version} (store schema ${journal.entries.at(-1)?.tag})\n`);
      expect(result.stderr).toBe("");
    },
  );
});
