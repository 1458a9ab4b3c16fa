import { startFakeSlack } from "../../../tests/fixtures/fake-slack.ts";
import {
  eventBody,
  type Person,
  postSigned,
  slashCommandBody,
  TEST_SIGNING_SECRET,
} from "../../../tests/fixtures/fake-slack-requests.ts";
import { fakeApiKey } from "../../../tests/fixtures/keys.ts";
import { createBot } from "./app.ts";
import { parsePolicy } from "./authz/config-file.ts";
import { redactingLogger } from "./logger.ts";

// `pnpm slack-bot:demo`: the bot in HTTP mode on 127.0.0.1, talking to the local stand-in of Slack from the
// tests, fed a scripted session of signed requests. It prints what each person would see. No workspace needed.

const TEAM = "T0DEMO";
const olga: Person & { label: string } = {
  teamId: TEAM,
  userId: "U0OLGA",
  userName: "olga",
  label: "Olga (operator)",
};
const dev: Person & { label: string } = {
  teamId: TEAM,
  userId: "U0DEV",
  userName: "dev",
  label: "Dev (viewer)",
};
const outsider: Person & { label: string } = {
  teamId: "T0ELSEWHERE",
  userId: "U0EVE",
  userName: "eve",
  label: "Eve (another workspace)",
};

const POLICY = `
workspaces: { teams: [${TEAM}] }
announcements: C0ANNOUNCE
profiles:
  default:
    view: { groups: [S0ENG] }
    operate: { users: [U0OLGA] }
  prod:
    operate: { users: [U0OLGA] }
`;

type Block = {
  type?: string;
  text?: { text?: string };
  elements?: { text?: string }[];
  fields?: { text?: string }[];
};

function flatten(message: { text?: unknown; blocks?: unknown }): string[] {
  const blocks = Array.isArray(message.blocks) ? (message.blocks as Block[]) : [];
  const fromBlocks = blocks.flatMap((b) => [
    ...(b.text?.text ? [b.text.text] : []),
    ...(b.fields ?? []).map((f) => f.text ?? ""),
    ...(b.elements ?? []).map((e) => e.text ?? "").filter(Boolean),
  ]);
  if (fromBlocks.length) return fromBlocks.flatMap((t) => t.split("\n"));
  return typeof message.text === "string" ? message.text.split("\n") : [];
}

const out = (line = "") => process.stdout.write(`${line}\n`);
const show = (who: string, lines: string[]) => {
  out(`   ${who} sees:`);
  for (const l of lines) out(`   │ ${l}`);
};

async function main(): Promise<void> {
  const slack = await startFakeSlack({ teamId: TEAM });
  slack.setGroup("S0ENG", ["U0DEV", "U0OLGA"]);
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
  });
  const { port } = await bot.start();
  const url = `http://127.0.0.1:${port}/slack/events`;
  out(`apikey Slack bot demo: bot on ${url}, Slack stand-in on ${slack.apiUrl}\n`);

  const command = async (person: typeof olga, text: string) => {
    // The demo's key is fake, but print it the way a careful screen would: prefix and length only.
    out(
      `── ${person.label} types: /apikey ${text.replace(/(sk-ant-[a-z]+\d*-)\S+/g, (k, p) => `${p}… (${k.length} characters)`)}`,
    );
    const before = slack.callsTo("response_url").length;
    const res = await postSigned(url, slashCommandBody(person, text, slack.responseUrl()));
    if (res.json) show(person.userName ?? person.userId, flatten(res.json as object));
    else {
      const [reply] = (await slack.waitFor("response_url", before + 1)).slice(before);
      show(person.userName ?? person.userId, flatten(reply?.args ?? {}));
    }
    out();
  };

  await command(olga, "help");
  await command(olga, "status");
  await command(olga, `add prod ${fakeApiKey("DEMO")}`);
  await command(olga, "frobnicate");
  await command(outsider, "list");

  out(`── ${dev.label} opens the bot's Home tab`);
  await postSigned(url, eventBody(dev, { type: "app_home_opened", tab: "home", channel: "D0DEV" }));
  const [home] = await slack.waitFor("views.publish");
  show("dev", flatten((home?.args.view ?? {}) as object));
  out();

  out("── the bot's log (redacted):");
  for (const l of logs) out(`   ${l.replace(/^\S+ /, "")}`);
  await bot.stop();
  await slack.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${(err as Error).message}\n`);
  process.exit(1);
});
