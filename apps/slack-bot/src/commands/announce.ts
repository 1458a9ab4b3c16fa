import type { CommandEnv } from "./env.ts";

// Posts to the announcement channel named in the config, when there is one. A failure (the bot was not invited)
// is logged and does not undo or fail the change that was announced.
export async function announce(
  env: Pick<CommandEnv, "client" | "policy" | "logger">,
  text: string,
): Promise<void> {
  const channel = env.policy.announcementChannel;
  if (!channel) return;
  await env.client.chat.postMessage({ channel, text, mrkdwn: true }).catch((err: unknown) => {
    env.logger.warn(
      `announcement failed: ${(err as { data?: { error?: string } }).data?.error ?? "unknown"}`,
    );
  });
}
