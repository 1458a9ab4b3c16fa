import { MAY_WAIT, slackCall } from "../slack-calls.ts";
import type { CommandEnv } from "./env.ts";

// Posts to the announcement channel named in the config, when there is one. A failure (the bot was not invited)
// is logged and does not undo or fail the change that was announced.
export async function announce(
  env: Pick<CommandEnv, "client" | "policy" | "logger">,
  text: string,
): Promise<void> {
  const channel = env.policy.announcementChannel;
  if (!channel) return;
  await slackCall(
    "chat.postMessage",
    () => env.client.chat.postMessage({ channel, text, mrkdwn: true }),
    MAY_WAIT,
  ).catch((err: unknown) => {
    const e = err as { data?: { error?: string }; name?: string };
    env.logger.warn(
      `announcement failed: ${e.data?.error ?? (e.name === "SlackRateLimited" ? "rate limited" : "unknown")}`,
    );
  });
}
