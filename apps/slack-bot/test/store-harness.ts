import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, storeFileIn } from "@apikey/core";
import type { Store } from "@apikey/core/store";
import { openStore } from "@apikey/storage/better-sqlite3";
import { type FakeAnthropic, startFakeAnthropic } from "../../../tests/fixtures/fake-anthropic.ts";
import {
  type Person,
  postSigned,
  stateValues,
  viewSubmissionBody,
} from "../../../tests/fixtures/fake-slack-requests.ts";
import { type BotCore, openBotCore } from "../src/core-adapter.ts";
import { type Harness, type HarnessOptions, startHarness } from "./harness.ts";

// The bot end to end: a real SQLite store in a temp dir (better-sqlite3), the fake Anthropic API for validation
// and the Admin API, the fake Slack, and a clock the test moves.

export const MASTER_KEY = Buffer.alloc(32, 0x5a).toString("base64");

export interface StoreHarness extends Harness {
  dataDir: string;
  store: Store;
  core: BotCore;
  anthropic: FakeAnthropic;
  clock: { now: () => Date; advance(ms: number): void };
  /** Submits the last view the bot opened, as last shown (the filled form), with these values and element states. */
  submitLastView(
    person: Person,
    text: Record<string, string>,
    raw?: Record<string, Record<string, unknown>>,
  ): ReturnType<typeof postSigned>;
}

export async function startStoreHarness(
  options: HarnessOptions & { anthropic?: FakeAnthropic; usageSyncMinutes?: number } = {},
): Promise<StoreHarness> {
  const { usageSyncMinutes, ...rest } = options;
  const dataDir = await mkdtemp(join(tmpdir(), "apikey-slack-"));
  const anthropic = options.anthropic ?? (await startFakeAnthropic());
  let t = Date.parse("2026-11-02T09:00:00Z");
  const clock = {
    now: () => new Date(t),
    advance: (ms: number) => {
      t += ms;
    },
  };
  const config = loadConfig({
    APIKEY_HOME: dataDir,
    APIKEY_MASTER_KEY: MASTER_KEY,
    ANTHROPIC_BASE_URL: anthropic.url,
  });
  const store = await openStore({ path: storeFileIn(config.dataDir) });
  const core = await openBotCore(config, { store, now: clock.now });
  const h = await startHarness({
    core: core.coreFor,
    claims: core.claims,
    reminders: { core: core.system, clock, autoStart: false, usageSyncMinutes },
    clock,
    ...rest,
    onClose: async () => {
      await core.close();
      await anthropic.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
  return {
    ...h,
    dataDir,
    store,
    core,
    anthropic,
    clock,
    submitLastView(person, text, raw = {}) {
      const opened = h.slack.calls.filter((c) => c.method === "views.open").at(-1);
      if (!opened) throw new Error("no view was opened");
      const id = (opened.response?.view as { id?: string } | undefined)?.id ?? "";
      const view = h.slack.currentView(id) ?? (opened.response?.view as Record<string, unknown>);
      return postSigned(h.url, viewSubmissionBody(person, view, stateValues(text, raw)));
    },
  };
}

/** The grace select and the upstream checkbox as Slack submits them. */
export const graceState = (ms: number) => ({ type: "static_select", selected_option: { value: String(ms) } });
export const upstreamState = (on: boolean) => ({
  type: "checkboxes",
  selected_options: on ? [{ value: "deactivate" }] : [],
});
