// A real store made by the real CLI in a temp directory, and the mock Raycast pointed at it. The CLI runs on the
// workspace's Node (better-sqlite3 is built for it), named by APIKEY_CLI_NODE; the extension under test opens the
// same file with node:sqlite in this (Node 22) process, as it does inside Raycast.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { cliEnv, CLI_PATH, makeHome, TEST_MASTER_KEY, type TestHome } from "../../../tests/fixtures/cli.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../../../tests/fixtures/fake-anthropic.ts";
import { type StoreTemplate, storeTemplate } from "../../../tests/fixtures/store-template.ts";
import { resetMock } from "./mock/raycast-api.tsx";

export { TEST_MASTER_KEY };

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  stdin?: string;
  baseUrl?: string;
  env?: Record<string, string | undefined>;
}

export function cli(home: TestHome, args: string[], opts: CliOptions = {}): Promise<CliRun> {
  const node = process.env.APIKEY_CLI_NODE || "node";
  return new Promise((resolve, reject) => {
    const child = spawn(node, [CLI_PATH, ...args], {
      cwd: home.homeDir,
      env: cliEnv({ home, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}), ...(opts.env ? { env: opts.env } : {}) }),
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.stdin.on("error", () => {});
    child.stdin.end(opts.stdin ?? "");
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }),
    );
  });
}

export async function cliOk(home: TestHome, args: string[], opts: CliOptions = {}) {
  const run = await cli(home, args, opts);
  if (run.code !== 0) throw new Error(`apikey ${args.join(" ")} exited ${run.code}: ${run.stderr}`);
  return run.stdout;
}

export interface Fixture {
  home: TestHome;
  fake: FakeAnthropic;
  /** Everything the mock Raycast writes (support dir, cache files). */
  raycastDir: string;
  cleanup(): Promise<void>;
}

/**
 * The store `seed` leaves, made by the real CLI once per test file and copied (modes included) into the home of each
 * fixture made `from` it, instead of the same CLI starts before every test (the extension is these tests' subject,
 * not seeding). Call it at a test file's top level: the template's home is removed after the file.
 */
export function seededStore(seed: (home: TestHome) => Promise<void>): StoreTemplate<void> {
  return storeTemplate(
    (home) => ({ home }),
    (opts) => seed(opts.home),
  );
}

/** The store two files start from: `work` (active) and `side` in default, `main` in a second profile, prod. */
export function workSideAndProd(work: string, side: string, prod: string): StoreTemplate<void> {
  return seededStore(async (home) => {
    await seedKey({ home }, "work", work);
    await seedKey({ home }, "side", side);
    await cliOk(home, ["profile", "create", "prod"]);
    await seedKey({ home }, "main", prod, "prod");
  });
}

/**
 * A home with a store protected by APIKEY_MASTER_KEY (a copy of `from`, or none until the test makes it), a fake
 * Anthropic API that accepts `validKeys`, and the mock's preferences pointing at both (the master key through the
 * `masterKey` preference, as a person would paste it).
 */
export async function makeFixture(validKeys: string[] = [], from?: StoreTemplate<void>): Promise<Fixture> {
  const home = await makeHome();
  if (from) await from.copyTo(home);
  const fake = await startFakeAnthropic({ validKeys });
  const raycastDir = join(home.root, "raycast");
  resetMock(raycastDir, { directory: home.dataDir, masterKey: TEST_MASTER_KEY });
  const saved = { ...process.env };
  // The extension reads only what Raycast gives it: the preferences, and its process environment (no HOME store).
  process.env.HOME = home.homeDir;
  process.env.ANTHROPIC_BASE_URL = fake.url;
  delete process.env.APIKEY_HOME;
  delete process.env.APIKEY_MASTER_KEY;
  delete process.env.APIKEY_PASSPHRASE;
  delete process.env.ANTHROPIC_API_KEY;
  return {
    home,
    fake,
    raycastDir,
    async cleanup() {
      process.env = saved;
      await fake.close();
      await home.cleanup();
    },
  };
}

/** `add` through the CLI, without validation (the fake is not needed for seeding). */
export async function seedKey(f: Pick<Fixture, "home">, name: string, secret: string, profile = "default") {
  await cliOk(f.home, ["--profile", profile, "--json", "add", "--no-validate", name], { stdin: secret });
}
