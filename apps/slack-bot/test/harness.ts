import { type FakeSlack, startFakeSlack } from "../../../tests/fixtures/fake-slack.ts";
import {
  type Person,
  type PostOptions,
  postSigned,
  slashCommandBody,
  TEST_SIGNING_SECRET,
} from "../../../tests/fixtures/fake-slack-requests.ts";
import { type Bot, type BotOptions, createBot } from "../src/app.ts";
import { parsePolicy } from "../src/authz/config-file.ts";
import type { SlackConfig } from "../src/config.ts";
import { redactingLogger } from "../src/logger.ts";

// A bot on 127.0.0.1 (HTTP on port 0, or Socket Mode) wired to a fresh fake Slack; logs are collected.

export const TEAM = "T0TEAM";
export const OPS: Person = { teamId: TEAM, userId: "U0OPS", userName: "olga" };
export const DEV: Person = { teamId: TEAM, userId: "U0DEV", userName: "dev" };
export const STRANGER: Person = { teamId: TEAM, userId: "U0STRANGER" };
export const OUTSIDER: Person = { teamId: "T0OTHER", userId: "U0OPS" };

export const POLICY = `
workspaces: { teams: [${TEAM}] }
announcements: C0ANNOUNCE
profiles:
  default:
    view: { groups: [S0ENG] }
    operate: { users: [U0OPS] }
`;

export interface Harness {
  slack: FakeSlack;
  bot: Bot;
  logs: string[];
  /** HTTP mode: the receiver's events URL. */
  url: string;
  command(person: Person, text: string, options?: PostOptions): ReturnType<typeof postSigned>;
  close(): Promise<void>;
}

export interface HarnessOptions extends Partial<Omit<BotOptions, "config" | "policy" | "logger">> {
  mode?: "http" | "socket";
  policy?: string;
  /** Called after the bot stopped, before the stand-in closes (close the store there). */
  onClose?: () => Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { mode = "http", policy = POLICY, onClose, ...rest } = options;
  const slack = await startFakeSlack({ teamId: TEAM });
  slack.setGroup("S0ENG", ["U0DEV", "U0OPS"]);
  const logs: string[] = [];
  const config: SlackConfig = {
    botToken: slack.botToken,
    appToken: mode === "socket" ? slack.appToken : undefined,
    signingSecret: mode === "http" ? TEST_SIGNING_SECRET : undefined,
    port: 0,
    host: "127.0.0.1",
    slackApiUrl: slack.apiUrl,
    authzFile: "(inline)",
  };
  const logger = redactingLogger({ write: (l) => logs.push(l) });
  const bot = createBot({
    config,
    policy: parsePolicy(policy),
    logger,
    fetch: (...a) => fetch(...a),
    ...rest,
  });
  const { port } = await bot.start();
  const url = `http://127.0.0.1:${port}/slack/events`;
  return {
    slack,
    bot,
    logs,
    url,
    command: (person, text, postOptions) =>
      postSigned(url, slashCommandBody(person, text, slack.responseUrl()), postOptions),
    async close() {
      await bot.stop();
      await onClose?.();
      await slack.close();
    },
  };
}

/** Everything that left the bot or that it wrote down, for leak checks. */
export function everythingSeen(h: Harness, extra: string[] = []): string {
  return [...h.slack.calls.map((c) => c.raw), ...h.logs, ...extra].join("\n");
}
