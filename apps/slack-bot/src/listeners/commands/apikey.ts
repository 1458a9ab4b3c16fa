import type { App, RespondArguments } from "@slack/bolt";
import type { BotDeps } from "../../app.ts";
import { helpText } from "../../command/help.ts";
import { type Command, parseCommand } from "../../command/parse.ts";
import { actorOf } from "../../guards.ts";
import { REFUSALS, renderError } from "../../hints.ts";

export const COMMAND = "/apikey";

const ephemeral = (text: string): RespondArguments => ({ response_type: "ephemeral", text });

// The key-in-text and workspace guards have run by now. What can be answered without I/O (help, a parse error)
// goes back in the ack itself; everything else acks empty first and answers through respond().
export function register(app: App, deps: BotDeps): void {
  app.command(COMMAND, async ({ ack, command, respond, logger, context }) => {
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
    try {
      const actor = actorOf({ body: command, context } as never);
      await respond(await run(parsed.command, { ...deps, actor }));
    } catch (err) {
      const rendered = renderError(err);
      logger.warn(`/apikey ${parsed.command.kind} failed: ${rendered.code}`);
      await respond(ephemeral(rendered.text)).catch(() => undefined);
    }
  });
}

async function run(_command: Command, _deps: BotDeps & { actor: unknown }): Promise<RespondArguments> {
  return ephemeral(REFUSALS.notWired);
}
