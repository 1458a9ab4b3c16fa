import type { App, RespondArguments } from "@slack/bolt";
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
  app.command(COMMAND, async (args) => {
    const { ack, command, respond, logger } = args;
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
    // Let the acks of requests already waiting go out before this one's slow part starts.
    await new Promise((resolve) => setImmediate(resolve));
    const env = envFrom(args, deps, { channelId: command.channel_id, triggerId: command.trigger_id });
    try {
      const reply = env ? await runCommand(parsed.command, env) : ephemeral(REFUSALS.notWired);
      if (reply) await respond(reply);
    } catch (err) {
      if (err instanceof Answer) {
        await respond(err.reply).catch(() => undefined);
        return;
      }
      const rendered = renderError(err);
      logger.warn(`/apikey ${parsed.command.kind} failed: ${rendered.code}`);
      await respond(ephemeral(rendered.text)).catch(() => undefined);
    }
  });
}
