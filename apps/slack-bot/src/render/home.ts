import type { types } from "@slack/bolt";
import type { BotDeps } from "../app.ts";
import { type Actor, decide } from "../authz/decide.ts";

// The Home tab. Until the store is wired in, it shows what the person may do, per profile named in the config.
export async function homeView(deps: BotDeps, actor: Actor): Promise<types.HomeView> {
  const names = [...deps.policy.profiles.keys()].filter((p) => p !== "*").sort();
  const rows: string[] = [];
  for (const profile of names) {
    if ((await decide(deps.policy, deps.directory, actor, profile, "operate")).allowed)
      rows.push(`• *${profile}*: view and change`);
    else if ((await decide(deps.policy, deps.directory, actor, profile, "view")).allowed)
      rows.push(`• *${profile}*: view`);
  }
  const blocks: types.KnownBlock[] = [
    { type: "header", text: { type: "plain_text", text: "apikey" } },
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: rows.length
          ? `Profiles you can use:\n${rows.join("\n")}`
          : "You have no access to any profile. Ask whoever runs the bot to add you to its config.",
      },
    },
    { type: "context", elements: [{ type: "mrkdwn", text: "Type `/apikey help` for the commands." }] },
  ];
  return { type: "home", blocks };
}
