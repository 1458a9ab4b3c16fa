import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHome, runCli, type TestHome } from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey, fakeOauthToken } from "../fixtures/keys.ts";

// `eval "$(apikey env)"` in a shell that used another key before: an API key's ANTHROPIC_API_KEY and an OAuth
// token's ANTHROPIC_AUTH_TOKEN must not both stay set, or the SDK sends both credentials and Claude Code prefers the
// token. `env` removes the one the active key replaces (core's `drop` for that key), in every shell's syntax.

const API_KEY = fakeApiKey("ENV_STALE_ACTIVE");
const OAUTH = fakeOauthToken("ENV_STALE_ACTIVE");
// What the shell held from the key used before (visibly fake, never the active ones).
const STALE = {
  ANTHROPIC_API_KEY: fakeApiKey("ENV_STALE_OLD"),
  ANTHROPIC_AUTH_TOKEN: fakeOauthToken("ENV_STALE_OLD"),
};

let apiHome: TestHome;
let oauthHome: TestHome;

beforeAll(async () => {
  apiHome = await makeHome();
  oauthHome = await makeHome();
  await inProcess(apiHome, (app) => app.keys.add({ name: "work", secret: API_KEY, validate: false }));
  await inProcess(oauthHome, (app) => app.keys.add({ name: "login", secret: OAUTH, validate: false }));
});
afterAll(async () => {
  await apiHome.cleanup();
  await oauthHome.cleanup();
});

/** `env`'s output evaluated by a real shell that held both stale variables; what the shell then has. */
async function evaluated(home: TestHome, shell: string): Promise<Record<string, string | undefined>> {
  const printed = await runCli(["env", "--shell", shell], { home, env: STALE });
  expect(printed.code, printed.stderr).toBe(0);
  // The stale values come in through the shell's environment and the output through stdin: no secret in argv.
  const r = spawnSync(
    shell,
    [
      "-c",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell expands it, not JavaScript
      'eval "$(cat)"; printf "%s\\n%s" "${ANTHROPIC_API_KEY-<unset>}" "${ANTHROPIC_AUTH_TOKEN-<unset>}"',
    ],
    { input: printed.stdout, encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...STALE } },
  );
  expect(r.status, r.stderr).toBe(0);
  const [apiKey, authToken] = r.stdout.split("\n");
  const value = (v: string | undefined) => (v === "<unset>" ? undefined : v);
  return { ANTHROPIC_API_KEY: value(apiKey), ANTHROPIC_AUTH_TOKEN: value(authToken) };
}

describe("env: the active key's variables replace the other kind's in the shell", () => {
  it.each(["sh", "bash"])("an API key leaves no stale ANTHROPIC_AUTH_TOKEN (%s)", async (shell) => {
    expect(await evaluated(apiHome, shell)).toEqual({
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_AUTH_TOKEN: undefined,
    });
  });

  it.each(["sh", "bash"])("an OAuth token leaves no stale ANTHROPIC_API_KEY (%s)", async (shell) => {
    expect(await evaluated(oauthHome, shell)).toEqual({
      ANTHROPIC_API_KEY: undefined,
      ANTHROPIC_AUTH_TOKEN: OAUTH,
    });
  });

  it("fish and PowerShell get their own removal lines, after the lines that set", async () => {
    const fish = await runCli(["env", "--shell", "fish"], { home: apiHome, env: STALE });
    expect(fish.code, fish.stderr).toBe(0);
    expect(fish.stdout.split("\n").filter(Boolean)).toEqual([
      expect.stringMatching(/^set -gx ANTHROPIC_API_KEY '/),
      "set -e ANTHROPIC_AUTH_TOKEN",
    ]);
    const pwsh = await runCli(["env", "--shell", "pwsh"], { home: oauthHome, env: STALE });
    expect(pwsh.code, pwsh.stderr).toBe(0);
    const lines = pwsh.stdout.split("\n").filter(Boolean);
    expect(lines[0]).toMatch(/^\$env:ANTHROPIC_AUTH_TOKEN = '/);
    expect(lines).toContain("Remove-Item Env:ANTHROPIC_API_KEY -ErrorAction SilentlyContinue");
    expect(lines.filter((l) => l.startsWith("Remove-Item"))).toEqual([
      "Remove-Item Env:ANTHROPIC_API_KEY -ErrorAction SilentlyContinue",
    ]);
  });

  it("--json still lists only what to set", async () => {
    const r = await runCli(["--json", "env"], { home: apiHome, env: STALE });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ANTHROPIC_API_KEY: API_KEY });
  });
});
