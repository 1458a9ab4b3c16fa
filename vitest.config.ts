import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// Vitest runs the projects one after another, in alphabetical order (a shared worker serves one project, so a project's
// files stay together), and within a project the files it expects to take longest first. Alphabetically, storage came
// last: its PostgreSQL server contract and PGlite files left a core mostly idle for the last minute of the run (process
// accounting: ~118 % of 2 cores busy from 420 s to 487 s). This order starts with storage, the Slack bot and the gateway
// while the Node 22 pass still runs beside the main run, and ends with the CLI's and core's many short files, so the
// two workers finish together.
const PROJECT_ORDER = ["storage", "slack-bot", "gateway", "e2e", "cli", "core"];

class ProjectOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const at = PROJECT_ORDER.indexOf(spec.project.name);
      return at === -1 ? PROJECT_ORDER.length : at;
    };
    const sorted = await super.sort(files);
    return sorted
      .map((spec, at) => ({ spec, at }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.at - b.at)
      .map(({ spec }) => spec);
  }
}

// One project per package so `vitest run --project <name>` runs a slice; the node:sqlite contract pass
// runs separately under Node 22 (see scripts/run-node22-tests.mjs).
// In CI a JSON report is written too, so .ci/run can print one plain "N passed, N failed" line.
const reporters = process.env.APIKEY_TEST_REPORT
  ? ["default", ["json", { outputFile: process.env.APIKEY_TEST_REPORT }] as const]
  : ["default"];

export default defineConfig({
  test: {
    reporters,
    sequence: { sequencer: ProjectOrder },
    // A test file per core. Vitest's default leaves one core to itself (on 2 cores: one file at a time), but an
    // end-to-end file spends most of its time waiting for the CLI processes it starts, which then have a core each.
    maxWorkers: Math.max(2, availableParallelism()),
    // One PostgreSQL server for the run, started when a file first asks for one.
    globalSetup: ["packages/storage/src/testing/pg-shared-server.ts"],
    // Unit projects share one module graph per worker too (as e2e below): re-importing core, storage and their
    // dependencies for each test file cost about two thirds of these projects' CPU. Safe for the same reasons: no
    // test file mocks a module, stubs a global or the environment, and module state is keyed by ids a test makes.
    projects: [
      // Core's key derivations run at their real cost (scrypt N=2^17, 128 MiB): a second on an idle core, several on
      // a busy 2-core machine, past Vitest's default 5 s.
      {
        test: {
          name: "core",
          root: "packages/core",
          include: ["src/**/*.test.ts"],
          testTimeout: 30_000,
          isolate: false,
        },
      },
      {
        test: {
          name: "storage",
          root: "packages/storage",
          include: ["src/**/*.test.ts"],
          exclude: ["src/**/*.node-sqlite.test.ts"],
          isolate: false,
        },
      },
      { test: { name: "gateway", root: "packages/gateway", include: ["src/**/*.test.ts"], isolate: false } },
      // Some CLI unit tests load the whole program (completion tables, shell quoting through real shells): slow on
      // a loaded 2-core machine, never a hang.
      {
        test: {
          name: "cli",
          root: "apps/cli",
          include: ["src/**/*.test.ts"],
          testTimeout: 30_000,
          isolate: false,
        },
      },
      {
        test: {
          name: "slack-bot",
          root: "apps/slack-bot",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          isolate: false,
        },
      },
      {
        test: {
          name: "e2e",
          root: "tests",
          include: ["e2e/**/*.test.ts"],
          // The files share one module graph per worker instead of re-importing core, storage, the gateway and the
          // fixtures for each of them (about a second of CPU per file, ~90 files). Safe because no e2e file mocks a
          // module or changes process-wide state, and no fixture registers a hook at import (each file's hooks
          // are its own); each file still gets its own homes, servers and CLI processes.
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
