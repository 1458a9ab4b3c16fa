import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, maskKey, redactKeyLike } from "@apikey/core";
import { startFakeAnthropic } from "../../../tests/fixtures/fake-anthropic.ts";
import { startFakeSlack } from "../../../tests/fixtures/fake-slack.ts";
import {
  blockActionBody,
  eventBody,
  type Person,
  postSigned,
  slashCommandBody,
  stateValues,
  TEST_SIGNING_SECRET,
  viewSubmissionBody,
} from "../../../tests/fixtures/fake-slack-requests.ts";
import { fakeApiKey } from "../../../tests/fixtures/keys.ts";
import { createBot } from "./app.ts";
import { parsePolicy } from "./authz/config-file.ts";
import { openBotCore } from "./core-adapter.ts";
import { redactingLogger } from "./logger.ts";

// `pnpm slack-bot:demo`: the bot in HTTP mode on 127.0.0.1 with a real store in a temporary directory, talking to
// the local stand-ins of Slack and of the Anthropic API from the tests, fed a scripted session of signed commands
// and form submissions. It prints what each person would see. No workspace, no network.

const TEAM = "T0DEMO";
type Who = Person & { label: string };
const olga: Who = { teamId: TEAM, userId: "U0OLGA", userName: "olga", label: "Olga (operates prod)" };
const dev: Who = { teamId: TEAM, userId: "U0DEV", userName: "dev", label: "Dev (may view prod)" };
const eve: Who = {
  teamId: "T0ELSEWHERE",
  userId: "U0EVE",
  userName: "eve",
  label: "Eve (another workspace)",
};

const POLICY = `
workspaces: { teams: [${TEAM}] }
announcements: C0ANNOUNCE
profiles:
  prod:
    view: { groups: [S0ENG] }
    operate: { users: [U0OLGA] }
`;

const WORK = fakeApiKey("DEMO_WORK");
const WORK2 = fakeApiKey("DEMO_WORK2");
const NEXT = fakeApiKey("DEMO_NEXT");

type Block = {
  type?: string;
  block_id?: string;
  label?: { text?: string };
  text?: { text?: string };
  elements?: { text?: string | { text?: string } }[];
  fields?: { text?: string }[];
};

function flatten(message: { text?: unknown; blocks?: unknown; title?: { text?: string } }): string[] {
  const blocks = Array.isArray(message.blocks) ? (message.blocks as Block[]) : [];
  const lines = blocks.flatMap((b) => [
    ...(b.type === "input" ? [`[ ${b.label?.text ?? ""}: ________ ]`] : []),
    ...(b.text?.text ? [b.text.text] : []),
    ...(b.fields ?? []).map((f) => f.text ?? ""),
    // Context text, and a button's label (`[Show more]`).
    ...(b.elements ?? [])
      .map((e) => (typeof e.text === "string" ? e.text : e.text?.text ? `[${e.text.text}]` : ""))
      .filter(Boolean),
  ]);
  const title = message.title?.text ? [`« ${message.title.text} »`] : [];
  if (lines.length) return [...title, ...lines.flatMap((t) => t.split("\n"))];
  return typeof message.text === "string" ? message.text.split("\n") : [];
}

const out = (line = "") => process.stdout.write(`${line}\n`);
const show = (who: string, lines: string[]) => {
  out(`   ${who}:`);
  for (const l of lines) out(`   │ ${l}`);
};
// Keys are fake here, but print them as a careful screen would: prefix and length only.
const mask = (text: string) => redactKeyLike(text, (k) => `${maskKey(k)} (${k.length} characters)`);

/** The bot, its store in a temporary directory, and the stand-ins it talks to. */
interface Stage {
  dataDir: string;
  anthropic: Awaited<ReturnType<typeof startFakeAnthropic>>;
  slack: Awaited<ReturnType<typeof startFakeSlack>>;
  core: Awaited<ReturnType<typeof openBotCore>>;
  bot: ReturnType<typeof createBot>;
  /** Where the bot takes Slack's requests. */
  url: string;
  /** The bot's log lines, redacted. */
  logs: string[];
}

async function startStage(): Promise<Stage> {
  const dataDir = await mkdtemp(join(tmpdir(), "apikey-slack-demo-"));
  const anthropic = await startFakeAnthropic({ validKeys: [WORK, WORK2, NEXT] });
  const slack = await startFakeSlack({ teamId: TEAM });
  slack.setGroup("S0ENG", ["U0DEV", "U0OLGA"]);
  const coreConfig = loadConfig({
    APIKEY_HOME: dataDir,
    APIKEY_MASTER_KEY: randomBytes(32).toString("base64"),
    ANTHROPIC_BASE_URL: anthropic.url,
  });
  const core = await openBotCore(coreConfig);
  const logs: string[] = [];
  const bot = createBot({
    config: {
      botToken: slack.botToken,
      appToken: undefined,
      signingSecret: TEST_SIGNING_SECRET,
      port: 0,
      host: "127.0.0.1",
      slackApiUrl: slack.apiUrl,
      authzFile: "(demo)",
    },
    policy: parsePolicy(POLICY, "demo config"),
    logger: redactingLogger({ write: (l) => logs.push(l) }),
    core: core.coreFor,
    claims: core.claims,
    reminders: { core: core.system, autoStart: false },
  });
  const { port } = await bot.start();
  return { dataDir, anthropic, slack, core, bot, url: `http://127.0.0.1:${port}/slack/events`, logs };
}

async function stopStage({ bot, core, slack, anthropic, dataDir }: Stage): Promise<void> {
  await bot.stop();
  await core.close();
  await slack.close();
  await anthropic.close();
  await rm(dataDir, { recursive: true, force: true });
}

const count = (stage: Stage, method: string) => stage.slack.callsTo(method).length;

async function announcements(stage: Stage, before: number): Promise<void> {
  for (const c of stage.slack.callsTo("chat.postMessage").slice(before))
    show("#announcements", [String(c.args.text)]);
}

/** A person types a slash command; prints the answer, or the form it opens, and any announcement. */
async function command(stage: Stage, who: Who, text: string): Promise<void> {
  const { slack, url } = stage;
  out(`── ${who.label} types: /apikey ${mask(text)}`);
  const [replies, opens, posts] = [
    count(stage, "response_url"),
    count(stage, "views.open"),
    count(stage, "chat.postMessage"),
  ];
  const res = await postSigned(url, slashCommandBody(who, text, slack.responseUrl()));
  if (res.json) show(`${who.userName} sees`, flatten(res.json as object));
  else {
    // Either an answer through response_url or a form opening: wait for whichever comes.
    for (
      let i = 0;
      i < 100 && count(stage, "response_url") === replies && count(stage, "views.open") === opens;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const reply = slack.callsTo("response_url")[replies];
    // A form opens at once in a loading state and is filled after (the trigger expires in 3 s).
    const form = count(stage, "views.open") > opens ? await slack.waitForForm(opens + 1) : undefined;
    if (reply) show(`${who.userName} sees`, flatten(reply.args));
    if (form) show(`${who.userName} sees a form`, flatten(form.args.view as object));
  }
  await announcements(stage, posts);
  out();
}

/** A person submits the form last opened; prints the acknowledgement, the outcome and any announcement. */
async function submit(stage: Stage, who: Who, what: string, text: Record<string, string>, raw = {}) {
  const { slack, url } = stage;
  out(`── ${who.label} fills in the form: ${mask(what)}`);
  const [updates, posts] = [count(stage, "views.update"), count(stage, "chat.postMessage")];
  const opened = slack.callsTo("views.open").at(-1)?.response?.view as { id?: string } | undefined;
  const form = slack.currentView(opened?.id ?? "") as Record<string, unknown>;
  const ack = await postSigned(url, viewSubmissionBody(who, form, stateValues(text, raw)));
  const view = (ack.json as { view?: object } | undefined)?.view;
  if (view) show(`${who.userName} sees at once`, flatten(view));
  const [outcome] = (await slack.waitFor("views.update", updates + 1)).slice(updates);
  show(`${who.userName} then sees`, flatten((outcome?.args.view ?? {}) as object));
  // The announcement follows the person's own answer; give it a moment.
  for (let i = 0; i < 25 && count(stage, "chat.postMessage") === posts; i++)
    await new Promise((r) => setTimeout(r, 20));
  await announcements(stage, posts);
  out();
}

/** Adding, switching, listing, rotating, budgets and usage, as three people with different rights. */
async function everydaySession(stage: Stage): Promise<void> {
  await command(stage, olga, "add prod");
  await submit(stage, olga, `name work, key ${WORK}`, { name: "work", profile: "prod", key: WORK });
  await command(stage, olga, "add prod");
  await submit(stage, olga, `name work-2, key ${WORK2}`, { name: "work-2", profile: "prod", key: WORK2 });
  await command(stage, olga, "use work-2 prod");
  await command(stage, olga, "list");
  await command(stage, olga, "rotate work-2");
  await submit(
    stage,
    olga,
    `new key ${NEXT}, grace 1 hour`,
    { new_key: NEXT },
    {
      grace: { type: "static_select", selected_option: { value: "3600000" } },
    },
  );
  await command(stage, olga, "budget set work-2 50");
  await command(stage, dev, "usage by key");
  await command(stage, dev, "use work");
  await command(stage, eve, "list");
  await command(stage, olga, `add prod ${fakeApiKey("DEMO_PASTED")}`);
}

/** A long list: 120 more keys in prod. Each page stays within Slack's limits; "Show more" posts the next one. */
async function longListSession(stage: Stage): Promise<void> {
  const { slack, url } = stage;
  for (let i = 0; i < 120; i++) {
    const name = `batch-${String(i).padStart(3, "0")}`;
    await stage.core.system.keys.add({
      name,
      profile: "prod",
      secret: fakeApiKey(`DEMO_BATCH_${i}`),
      validate: false,
    });
  }
  out(`── ${olga.label} types: /apikey list prod   (prod now holds 122 keys)`);
  let before = count(stage, "response_url");
  await postSigned(url, slashCommandBody(olga, "list prod", slack.responseUrl()));
  for (let page = 1; page < 20; page++) {
    const msg = (await slack.waitFor("response_url", before + 1))[before]?.args as { blocks?: Block[] };
    const more = showListPage(msg, page);
    if (!more) break;
    out(`── ${olga.label} clicks "Show more"`);
    before = count(stage, "response_url");
    await postSigned(
      url,
      blockActionBody(olga, { action_id: "apikey_more", value: more }, { responseUrl: slack.responseUrl() }),
    );
  }
  out(`   (Slack refused ${slack.refused().length} of the bot's messages and views for their size.)`);
  out();
}

/** Prints one page of the list, shortened; returns the "Show more" button's value when there is a next page. */
function showListPage(msg: { blocks?: Block[] }, page: number): string | undefined {
  const lines = flatten(msg);
  const keys = lines.filter((l) => l.includes(" · `sk-ant-"));
  show(`olga sees (message ${page})`, [
    ...lines.filter((l) => !l.includes(" · `sk-ant-")).slice(0, 1),
    ...keys.slice(0, 2),
    `… ${keys.length - 4} more keys …`,
    ...keys.slice(-2),
    ...lines.filter((l) => l.startsWith("Page ") || l.startsWith("[Show more")),
  ]);
  const more = (msg.blocks ?? [])
    .flatMap((b) => (b as { elements?: { action_id?: string; value?: string }[] }).elements ?? [])
    .find((e) => e.action_id === "apikey_more");
  return more?.value || undefined;
}

async function homeTab(stage: Stage): Promise<void> {
  out(`── ${dev.label} opens the bot's Home tab`);
  await postSigned(stage.url, eventBody(dev, { type: "app_home_opened", tab: "home", channel: "D0DEV" }));
  const [home] = await stage.slack.waitFor("views.publish");
  const homeLines = flatten((home?.args.view ?? {}) as object);
  // 122 keys do not fit one Home view (100 blocks): it pages. Shown shortened here.
  show("dev sees", [
    ...homeLines.slice(0, 4),
    "…",
    ...homeLines.filter((l) => l.startsWith("Page ") || l.startsWith("[Next") || l.startsWith("[◀")),
    ...homeLines.slice(-2),
  ]);
  out();
}

async function main(): Promise<void> {
  const stage = await startStage();
  out(
    `apikey Slack bot demo — bot on ${stage.url}, Slack and Anthropic stand-ins on 127.0.0.1, store in ${stage.dataDir}\n`,
  );
  await everydaySession(stage);
  await longListSession(stage);
  await homeTab(stage);
  out("── the bot's log (redacted):");
  for (const l of stage.logs) out(`   ${l.replace(/^\S+ /, "")}`);
  await stopStage(stage);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${(err as Error).message}\n`);
  process.exit(1);
});
