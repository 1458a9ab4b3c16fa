import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_PATH, DEAD_BASE_URL, makeHome, REPO_ROOT, type TestHome } from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// issue 23 item 9: the README's five-minute tour shows real output. This runs each `$ command` of its console
// blocks, in order, against a fresh store with the fake keys it names, and compares what the command prints.
const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

interface Step {
  command: string;
  expected: string;
}

function tourSteps(): Step[] {
  const start = readme.indexOf("## A five-minute tour");
  const end = readme.indexOf("\n## ", start + 1);
  const tour = readme.slice(start, end);
  const steps: Step[] = [];
  for (const block of tour.matchAll(/^```console\n([\s\S]*?)^```/gm)) {
    for (const line of (block[1] as string).split("\n")) {
      if (line.startsWith("$ ")) steps.push({ command: line.slice(2), expected: "" });
      else if (steps.length > 0 && line !== "") {
        const step = steps[steps.length - 1] as Step;
        step.expected += `${line}\n`;
      }
    }
  }
  return steps;
}

let home: TestHome;
let bin: string;

beforeAll(async () => {
  home = await makeHome();
  bin = join(home.root, "bin");
  mkdirSync(bin);
  symlinkSync(CLI_PATH, join(bin, "apikey"));
});
afterAll(async () => {
  await home?.cleanup();
});

describe("issue 23 item 9: the README's tour", () => {
  it("keeps the quick-start and test commands .ci/run and newcomers rely on", () => {
    expect(readme).toContain("```sh\nnpm install -g pnpm@10.34.8 && pnpm install && apikey status\n```");
    expect(readme).toContain("```sh\npnpm test\n```");
    expect(readme.split("\n").length).toBeLessThanOrEqual(200);
  });

  it("prints what the README says, command by command", () => {
    const steps = tourSteps();
    expect(steps.length).toBeGreaterThanOrEqual(10);
    const env = {
      PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: home.homeDir,
      APIKEY_HOME: home.dataDir,
      ANTHROPIC_BASE_URL: DEAD_BASE_URL,
      TZ: "UTC",
      LANG: "C.UTF-8",
      PERSONAL_KEY: fakeApiKey("PERSONAL"),
      WORK_KEY: fakeApiKey("WORK"),
      PROD_KEY: fakeApiKey("PROD"),
    };
    for (const step of steps) {
      const r = spawnSync("sh", ["-c", `${step.command} 2>&1`], { cwd: home.root, env, encoding: "utf8" });
      expect(r.stdout, step.command).toBe(step.expected);
    }
  });
});
