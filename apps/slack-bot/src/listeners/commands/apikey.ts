import type { App, RespondArguments } from "@slack/bolt";
import { afterAckQueue } from "../../after-ack.ts";
import { Answer } from "../../commands/env.ts";
import { helpText } from "../../commands/help.ts";
import { parseCommand } from "../../commands/parse.ts";
import { runCommand } from "../../commands/run.ts";
import { REFUSALS, renderError } from "../../hints.ts";
import type { BotDeps } from "../deps.ts";
import { envFrom } from "../env.ts";
import { COMMAND } from "./name.ts";

export { COMMAND };

const ephemeral = (text: string): RespondArguments => ({ response_type: "ephemeral", text });

// The key-in-text and workspace guards have run by now. What can be answered without I/O (help, a parse error)
// goes back in the ack itself; everything else acks empty first and answers through respond().
export function register(app: App, deps: BotDeps): void {
  const afterAck = afterAckQueue(AFTER_ACK_CONCURRENCY);
  app.command(COMMAND, async (args) => {
    const { ack, command } = args;
    const parsed = parseCommand(command.text ?? "");
    if (!parsed.ok) {
      await ack(ephemeral(parsed.message));
      return;
    }
    if (parsed.command.kind === "help") {
      await ack(ephemeral(helpText()));
      return;
    }
    await ack();
    await afterAck(() => answer(args, deps, parsed.command));
  });
}

// Answers being built at once after their acks; the rest wait their turn (after-ack.ts).
const AFTER_ACK_CONCURRENCY = 2;

async function answer(
  args: Parameters<Parameters<App["command"]>[1]>[0],
  deps: BotDeps,
  cmd: Extract<ReturnType<typeof parseCommand>, { ok: true }>["command"],
): Promise<void> {
  const { command, respond, logger } = args;
  // Let the acks of requests already waiting go out before this one's slow part starts.
  await new Promise((resolve) => setImmediate(resolve));
  const env = envFrom(args, deps, { channelId: command.channel_id, triggerId: command.trigger_id });
  try {
    const reply = env ? await runCommand(cmd, env) : ephemeral(REFUSALS.notWired);
    if (reply) await respond(reply);
  } catch (err) {
    if (err instanceof Answer) {
      await respond(err.reply).catch(() => undefined);
      return;
    }
    const rendered = renderError(err);
    logger.warn(`/apikey ${cmd.kind} failed: ${rendered.code}`);
    await respond(ephemeral(rendered.text)).catch(() => undefined);
  }
}
