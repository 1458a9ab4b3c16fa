import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_PATH, cliEnv, makeHome, type RunOptions, runCli, type TestHome } from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey, keyBody } from "../fixtures/keys.ts";

// `apikey exec` with apikey:// references in the environment and a .env file, and masked output.

const WORK = fakeApiKey("REFS_WORK");
const PROD = fakeApiKey("REFS_PROD");
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const hint = (s: string) => `sk-ant-api03-…${s.slice(-4)}`;

let home: TestHome;
const opts = (extra: Partial<RunOptions> = {}): RunOptions => ({ home, ...extra });
const node = (script: string) => ["--", process.execPath, "-e", script];

function expectNoKey(text: string): void {
  for (const k of [WORK, PROD]) expect(text).not.toContain(keyBody(k));
}

beforeAll(async () => {
  home = await makeHome();
  // The starting store, made in process; `exec` and `inject` are what is tested.
  await inProcess(home, async (app) => {
    await app.keys.add({ name: "work", secret: WORK, validate: false });
    await app.profiles.create("prod");
    await app.keys.add({ name: "main", secret: PROD, profile: "prod", validate: false });
    await app.keys.use("main", "prod");
  });
  await writeFile(
    join(home.homeDir, ".env"),
    "# references only: safe to commit\nANTHROPIC_API_KEY=apikey://default/work\nPROD_KEY='apikey://prod'\nPLAIN=hello\n",
  );
});
afterAll(async () => {
  await home?.cleanup();
});

describe("apikey exec with references", () => {
  it("a .env with references for two profiles runs a child that sees both keys", async () => {
    const script =
      "const h=(s)=>require('crypto').createHash('sha256').update(s||'').digest('hex');" +
      "console.log(JSON.stringify({a:h(process.env.ANTHROPIC_API_KEY),p:h(process.env.PROD_KEY),plain:process.env.PLAIN,m:process.env.APIKEY_MASTER_KEY===undefined}))";
    const r = await runCli(["exec", "--dotenv", ".env", ...node(script)], opts());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ a: sha(WORK), p: sha(PROD), plain: "hello", m: true });
  });

  it("resolves references in the environment too, and the environment wins over the file", async () => {
    const script =
      "process.stdout.write(require('crypto').createHash('sha256').update(process.env.OTHER).digest('hex'))";
    const r = await runCli(["exec", ...node(script)], opts({ env: { OTHER: "apikey://prod/main" } }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(sha(PROD));
  });

  it("masks the key in stdout, across split writes and in stderr", async () => {
    const script =
      "const k=process.env.ANTHROPIC_API_KEY,p=process.env.PROD_KEY;" +
      "process.stdout.write('key='+k+'\\n');" +
      "process.stdout.write('split='+k.slice(0,50));setTimeout(()=>{process.stdout.write(k.slice(50)+'\\n');" +
      "process.stderr.write('err='+p+'\\n');throw new Error('boom '+k)},50)";
    const r = await runCli(["exec", "--dotenv", ".env", ...node(script)], opts());
    expect(r.code).toBe(1);
    expectNoKey(r.stdout + r.stderr);
    expect(r.stdout).toBe(`key=${hint(WORK)}\nsplit=${hint(WORK)}\n`);
    expect(r.stderr).toContain(`err=${hint(PROD)}\n`);
    expect(r.stderr).toContain(`boom ${hint(WORK)}`);
  });

  it("--no-masking shows the key", async () => {
    const r = await runCli(
      ["exec", "--no-masking", "--dotenv", ".env", ...node("console.log(process.env.ANTHROPIC_API_KEY)")],
      opts(),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${WORK}\n`);
  });

  it("passes exit codes through", async () => {
    expect((await runCli(["exec", ...node("process.exit(7)")], opts())).code).toBe(7);
    expect((await runCli(["exec", "--no-masking", ...node("process.exit(9)")], opts())).code).toBe(9);
  });

  it("forwards SIGTERM to the child and exits as it did", async () => {
    const child = spawn(
      process.execPath,
      [CLI_PATH, "exec", ...node("process.stdout.write('ready\\n');setInterval(()=>{},1000)")],
      { cwd: home.homeDir, env: cliEnv(opts()), stdio: ["ignore", "pipe", "pipe"] },
    );
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (d: Buffer) => d.includes("ready") && resolve()),
    );
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(code).toBe(143);
  });

  it("a closed stdout (| head) ends an endless child instead of hanging", async () => {
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${CLI_PATH}" exec -- yes | head -1`], {
      cwd: home.homeDir,
      env: cliEnv(opts()),
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe("y\n");
  });

  it("an unknown reference never starts the child, naming the reference", async () => {
    const marker = join(home.root, "started");
    await writeFile(join(home.homeDir, "bad.env"), "GOOD=apikey://default/work\nBAD=apikey://default/nope\n");
    const script = `require('fs').writeFileSync(${JSON.stringify(marker)},'x')`;
    const r = await runCli(["--json", "exec", "--dotenv", "bad.env", ...node(script)], opts());
    expect(r.code).toBe(1);
    const err = JSON.parse(r.stderr).error;
    expect(err.code).toBe("E_KEY_NOT_FOUND");
    expect(err.message).toContain("BAD");
    expect(err.message).toContain("apikey://default/nope");
    expectNoKey(r.stdout + r.stderr);
    const { existsSync } = await import("node:fs");
    expect(existsSync(marker)).toBe(false);

    const bad = await runCli(["--json", "exec", ...node(script)], opts({ env: { X: "apikey://a/b/c" } }));
    expect(JSON.parse(bad.stderr).error.code).toBe("E_REFERENCE_INVALID");
    expect(existsSync(marker)).toBe(false);
  });

  it("a missing env file stops before the child starts", async () => {
    const marker = join(home.root, "started-missing");
    const script = `require('fs').writeFileSync(${JSON.stringify(marker)},'x')`;
    const r = await runCli(["--json", "exec", "--dotenv", "missing.env", ...node(script)], opts());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing\.env|env file does not exist/);
    const { existsSync } = await import("node:fs");
    expect(existsSync(marker)).toBe(false);
  });
});

describe("apikey inject", () => {
  const template =
    "api_key: apikey://default/work\nprod: 'apikey://prod'\nagain: apikey://default/work\nname: plain\n";
  const filled = `api_key: ${WORK}\nprod: '${PROD}'\nagain: ${WORK}\nname: plain\n`;

  it("prints the filled template on stdout without -o", async () => {
    await writeFile(join(home.homeDir, "config.tpl"), template);
    const r = await runCli(["inject", "-i", "config.tpl"], opts());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(filled);
    expectNoKey(r.stderr);
  });

  it("writes -o 0600, refuses an existing file without --force, replaces it with", async () => {
    const out = join(home.homeDir, "config.yml");
    const r = await runCli(["inject", "-i", "config.tpl", "-o", "config.yml"], opts());
    expect(r.code, r.stderr).toBe(0);
    expectNoKey(r.stdout + r.stderr);
    expect(await readFile(out, "utf8")).toBe(filled);
    expect((await stat(out)).mode & 0o777).toBe(0o600);

    await writeFile(out, "keep me\n", { mode: 0o644 });
    const again = await runCli(["--json", "inject", "-i", "config.tpl", "-o", "config.yml"], opts());
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stderr).error.code).toBe("E_USAGE");
    expect(await readFile(out, "utf8")).toBe("keep me\n");

    const forced = await runCli(["inject", "-i", "config.tpl", "-o", "config.yml", "--force"], opts());
    expect(forced.code, forced.stderr).toBe(0);
    expect(await readFile(out, "utf8")).toBe(filled);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
  });

  it("an unknown reference writes nothing and names the reference and line", async () => {
    await writeFile(join(home.homeDir, "bad.tpl"), "a: apikey://default/work\nb: apikey://default/nope\n");
    const r = await runCli(["--json", "inject", "-i", "bad.tpl", "-o", "bad.yml"], opts());
    expect(r.code).toBe(1);
    const err = JSON.parse(r.stderr).error;
    expect(err.code).toBe("E_KEY_NOT_FOUND");
    expect(err.message).toContain("line 2");
    expect(err.message).toContain("apikey://default/nope");
    expectNoKey(r.stdout + r.stderr);
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(home.homeDir, "bad.yml"))).toBe(false);
  });
});
