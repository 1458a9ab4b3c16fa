import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import type { BotDeps } from "../../app.ts";
import { announce } from "../../commands/announce.ts";
import { Answer, ephemeral, requireAccess } from "../../commands/env.ts";
import { DELETE_ACTION, rotateView } from "../../commands/run.ts";
import { renderError } from "../../hints.ts";
import { KeyRef } from "../../payload.ts";
import { bold } from "../../render/blocks.ts";
import { HOME_ROTATE_ACTION, HOME_USE_ACTION } from "../../render/home.ts";
import { envFrom } from "../env.ts";
import { publishHome } from "../events/app-home.ts";

// Buttons: the delete confirmation (Slack shows its confirm dialog before this runs), and the Home tab's "Use"
// and "Rotate…". A button's value says which key (payload.ts has checked it before this runs); rights are checked
// again here, on click.

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

function refOf(args: ButtonArgs) {
  try {
    const parsed = KeyRef.safeParse(JSON.parse(args.action.value ?? ""));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function register(app: App, deps: BotDeps): void {
  app.action<BlockButtonAction>(DELETE_ACTION, async (args) => {
    await args.ack();
    const ref = refOf(args);
    const env = envFrom(args, deps);
    if (!ref || !env) return;
    try {
      await requireAccess(env, ref.profile, "operate", "delete");
      await env.core.keys.delete(ref.name, ref.profile);
      await args.respond({
        replace_original: true,
        text: `Deleted ${bold(ref.name)} from ${bold(ref.profile)}.`,
      });
    } catch (err) {
      const reply = err instanceof Answer ? err.reply : ephemeral(renderError(err).text);
      await args.respond({ replace_original: true, text: String(reply.text) }).catch(() => undefined);
    }
  });

  app.action<BlockButtonAction>(HOME_USE_ACTION, async (args) => {
    await args.ack();
    const ref = refOf(args);
    const env = envFrom(args, deps);
    if (!ref || !env) return;
    try {
      await requireAccess(env, ref.profile, "operate", "use");
      await env.core.keys.use(ref.name, ref.profile);
      await announce(env, `<@${env.actor.userId}> switched ${bold(ref.profile)} to ${bold(ref.name)}`);
    } catch (err) {
      args.logger.warn(
        `home use failed: ${err instanceof Answer ? "not authorized" : renderError(err).code}`,
      );
    }
    await publishHome(deps, { env, client: env.client, userId: args.body.user.id, actor: env.actor });
  });

  app.action<BlockButtonAction>(HOME_ROTATE_ACTION, async (args) => {
    await args.ack();
    const ref = refOf(args);
    const env = envFrom(args, deps, { triggerId: args.body.trigger_id });
    if (!ref || !env) return;
    try {
      await requireAccess(env, ref.profile, "operate", "rotate");
      await args.client.views.open({
        trigger_id: args.body.trigger_id,
        view: await rotateView(env, ref.profile, ref.name),
      });
    } catch (err) {
      args.logger.warn(
        `home rotate failed: ${err instanceof Answer ? "not authorized" : renderError(err).code}`,
      );
    }
  });
}
