import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI_PATH,
  type CliResult,
  cliEnv,
  makeHome,
  type RunOptions,
  runCli,
  type TestHome,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { type GitHubActionsOidc, startGitHubActionsOidc } from "../fixtures/github-actions-oidc.ts";
import { type OidcIssuer, startOidcIssuer } from "../fixtures/oidc-issuer.ts";

// Issue 26: `apikey exec` with an identity token only apikey can read (a command, GitHub Actions) keeps a
// long-running child working. The child gets ANTHROPIC_IDENTITY_TOKEN_FILE, a private file apikey renews before the
// token's `exp`; the official SDK re-reads it at every exchange. Identity tokens here live 4 s and minted tokens
// 3 s (so the SDK exchanges at every request): the child's second request comes after its first identity token
// expired, and the stand-in refuses an expired assertion. exec runs with its timers 10 times faster
// (fixtures/fast-timers.cjs; its clock stays real), so its renewal, never sooner than 10 s by its own rule, comes
// after 1 s, before the token's real expiry, instead of every test waiting out a 12 s token.

const RULE = "fdrl_FAKE_TEST_renew";
const ORG = "00000000-0000-4000-8000-00000000e7ec";
const SDK_ENTRY = createRequire(import.meta.url).resolve("@anthropic-ai/sdk");
const IDENTITY_TTL = 4;
const FAST_TIMERS = fileURLToPath(new URL("../fixtures/fast-timers.cjs", import.meta.url));

let issuer: OidcIssuer;
let github: GitHubActionsOidc;
let fake: FakeAnthropic;
let home: TestHome;
const outputs: string[] = [];

function run(args: string[], extra: Partial<RunOptions> = {}): Promise<CliResult> {
  return runCli(args, { home, baseUrl: fake.url, ...extra }).then((r) => {
    outputs.push(r.stdout, r.stderr);
    return r;
  });
}

/** `apikey exec` with its timers hurried (see the top of the file): its renewals come 10 times sooner. */
function execRenewing(args: string[], env: Record<string, string> = {}, rate = 10): Promise<CliResult> {
  return run(["exec", "--", ...args], {
    nodeArgs: ["--require", FAST_TIMERS],
    env: { ...env, APIKEY_TEST_TIMER_RATE: String(rate) },
    timeoutMs: 60_000,
  });
}

/**
 * A token command that fetches a fresh identity token from the issuer (as `gcloud auth print-identity-token`). With
 * `failWhen`, it fails (exit 3, a fake credential on stderr) once that file exists.
 */
function mintCommand(failWhen?: string): string {
  const script = join(home.root, failWhen ? "mint-flaky.mjs" : "mint.mjs");
  const fail = failWhen
    ? `import {existsSync} from "node:fs";if(existsSync(${JSON.stringify(failWhen)})){console.error("FAKE_TEST_source_down");process.exit(3)}`
    : "";
  // node:http rather than fetch: a process's first fetch compiles Node's WebAssembly HTTP parser (~250 ms of CPU),
  // and this command runs at every renewal.
  writeFileSync(
    script,
    `${fail}import {get} from "node:http";get(process.argv[2],(r)=>{let t="";r.setEncoding("utf8");r.on("data",(d)=>{t+=d});r.on("end",()=>process.stdout.write(t))});`,
  );
  return `${process.execPath} ${script} ${issuer.mintUrl(IDENTITY_TTL)}`;
}

/**
 * The child: one request, then it waits until its first identity token has expired and the file holds another,
 * then a second request; it writes what it saw (and its whole environment, for the canary) to `out`. With
 * `breakSource`, it first breaks the identity token command (creates that file), and waits only for the expiry.
 */
function childScript(out: string, breakSource?: string): string {
  const waitForRotation = breakSource === undefined;
  return `
const fs = require("node:fs");
${breakSource ? `fs.writeFileSync(${JSON.stringify(breakSource)}, "");` : ""}
const A = require(${JSON.stringify(SDK_ENTRY)});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const f = process.env.ANTHROPIC_IDENTITY_TOKEN_FILE;
(async () => {
  const first = fs.readFileSync(f, "utf8");
  const exp = JSON.parse(Buffer.from(first.split(".")[1], "base64url").toString()).exp;
  const mode = (fs.statSync(f).mode & 0o777).toString(8), dirMode = (fs.statSync(require("node:path").dirname(f)).mode & 0o777).toString(8);
  const c = new A.default({ maxRetries: 0 });
  const one = (await c.models.list({ limit: 1 })).data.length;
  const until = Date.now() + 40_000;
  while (Date.now() < until && (Date.now() / 1000 < exp + 1 || (${waitForRotation} && fs.readFileSync(f, "utf8") === first))) await sleep(250);
  const rotated = fs.readFileSync(f, "utf8") !== first;
  const two = ${waitForRotation} ? (await c.models.list({ limit: 1 })).data.length : null;
  fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify({ f, mode, dirMode, one, two, rotated, env: process.env }));
  // Printed on purpose: exec conceals a renewed identity token in the child's output too (the canary checks).
  console.log(fs.readFileSync(f, "utf8"));
})().catch((e) => { console.error(String(e)); process.exit(1); });`;
}

interface Seen {
  f: string;
  mode: string;
  dirMode: string;
  one: number;
  two: number | null;
  rotated: boolean;
  env: Record<string, string>;
}

function expectNoTokenIn(env: Record<string, string>, also: string[] = []): void {
  const needles = [...issuer.minted, ...github.issued, ...fake.mintedTokens(), ...also];
  expect(needles.length).toBeGreaterThan(0);
  const values = Object.values(env).join("\n");
  for (const n of needles) expect(values).not.toContain(n);
  expect(Object.keys(env)).not.toContain("ANTHROPIC_IDENTITY_TOKEN");
}

beforeAll(async () => {
  issuer = await startOidcIssuer();
  github = await startGitHubActionsOidc(issuer, { expiresIn: IDENTITY_TTL });
  fake = await startFakeAnthropic({
    federationRules: [
      {
        id: RULE,
        organizationId: ORG,
        issuer: issuer.issuer,
        jwksUrl: issuer.jwksUrl,
        subject: issuer.subject,
      },
    ],
    mintedTokenTtl: 3,
  });
  home = await makeHome();
});
afterAll(async () => {
  await Promise.all([fake?.close(), github?.close(), issuer?.close()]);
  await home?.cleanup();
});

describe("issue 26: exec renews the identity token of a command or GitHub Actions source", () => {
  it("--identity-token-command: the SDK's two requests across an identity token rotation both get 200", async () => {
    const add = await run([
      "add",
      "cmd",
      "--federated",
      "--rule",
      RULE,
      "--org",
      ORG,
      "--identity-token-command",
      mintCommand(),
    ]);
    expect(add.code, add.stderr).toBe(0);
    const out = join(home.root, "seen-cmd.json");
    const r = await execRenewing([process.execPath, "-e", childScript(out)]);
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(readFileSync(out, "utf8")) as Seen;
    expect([seen.one, seen.two, seen.rotated]).toEqual([1, 1, true]);
    expect([seen.mode, seen.dirMode]).toEqual(["600", "700"]);
    expect(existsSync(seen.f)).toBe(false);
    expect(existsSync(dirname(seen.f))).toBe(false);
    expectNoTokenIn(seen.env);
    // Two identity tokens at least were read by exec (the first, and the renewal) beyond add's validation.
    expect(issuer.minted.length).toBeGreaterThanOrEqual(3);
    // `env` cannot renew anything: it prints the SDK's variables, no identity token, and says what to do.
    const env = await run(["env"]);
    expect(env.code, env.stderr).toBe(0);
    expect(env.stdout).toContain("ANTHROPIC_FEDERATION_RULE_ID");
    expect(env.stdout).not.toContain("ANTHROPIC_IDENTITY_TOKEN");
    expect(env.stderr).toContain("ANTHROPIC_IDENTITY_TOKEN_FILE");
  }, 70_000);

  it("--identity-token-github-actions: the same, with the job's OIDC endpoint", async () => {
    const add = await run(
      ["add", "gha", "--federated", "--rule", RULE, "--org", ORG, "--identity-token-github-actions"],
      { env: github.env },
    );
    expect(add.code, add.stderr).toBe(0);
    expect((await run(["use", "gha"])).code).toBe(0);
    const before = github.issued.length;
    const out = join(home.root, "seen-gha.json");
    const r = await execRenewing([process.execPath, "-e", childScript(out)], github.env);
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(readFileSync(out, "utf8")) as Seen;
    expect([seen.one, seen.two, seen.rotated]).toEqual([1, 1, true]);
    expect(github.issued.length - before).toBeGreaterThanOrEqual(2);
    expect(existsSync(dirname(seen.f))).toBe(false);
    expectNoTokenIn(seen.env);
  }, 70_000);

  it("a source failing while the child runs: a coded warning, no token or error output shown, the old file stays", async () => {
    const broken = join(home.root, "source-broken");
    const add = await run([
      "add",
      "flaky",
      "--federated",
      "--rule",
      RULE,
      "--org",
      ORG,
      "--identity-token-command",
      mintCommand(broken),
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect((await run(["use", "flaky"])).code).toBe(0);
    const out = join(home.root, "seen-flaky.json");
    // The child breaks the source as it starts, and exec's first renewal comes 2.5 s after its start (timers 4
    // times faster, not 10): on a loaded machine the child's start, not only its request, must come before it.
    const r = await execRenewing([process.execPath, "-e", childScript(out, broken)], {}, 4);
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(readFileSync(out, "utf8")) as Seen;
    expect([seen.one, seen.rotated]).toEqual([1, false]);
    expect(r.stderr).toMatch(/warning:.*E_IDENTITY_TOKEN.*exit 3/);
    expect(r.stderr).not.toContain("FAKE_TEST_source_down");
    expect(existsSync(dirname(seen.f))).toBe(false);
  }, 70_000);

  it("SIGTERM to exec reaches the child, and the file and its directory are removed", async () => {
    expect((await run(["use", "cmd"])).code).toBe(0);
    const out = join(home.root, "seen-signal.txt");
    const script = `require("node:fs").writeFileSync(${JSON.stringify(out)}, process.env.ANTHROPIC_IDENTITY_TOKEN_FILE);process.on("SIGTERM",()=>process.exit(143));setInterval(()=>{},1000);`;
    const apikey = spawn(process.execPath, [CLI_PATH, "exec", "--", process.execPath, "-e", script], {
      cwd: home.homeDir,
      env: cliEnv({ home, baseUrl: fake.url }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stderr: Buffer[] = [];
    apikey.stderr.on("data", (c: Buffer) => stderr.push(c));
    const exited = new Promise<number | null>((resolve) => apikey.on("exit", (code) => resolve(code)));
    const until = Date.now() + 20_000;
    while (!existsSync(out) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const file = readFileSync(out, "utf8");
    expect(existsSync(file)).toBe(true);
    apikey.kill("SIGTERM");
    expect(await exited).toBe(143);
    expect(existsSync(dirname(file))).toBe(false);
    outputs.push(Buffer.concat(stderr).toString("utf8"));
  }, 40_000);

  it("canary: no identity token or minted token in any output", () => {
    const needles = [...issuer.minted, ...github.issued, ...fake.mintedTokens()];
    for (const o of outputs) for (const n of needles) expect(o).not.toContain(n);
  });
});
