import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { announce } from "../../commands/announce.ts";
import { Answer, ephemeral, requireAccess, resolveKey } from "../../commands/env.ts";
import { morePage, openForm, rotateView } from "../../commands/run.ts";
import { actorOf } from "../../guards.ts";
import { renderError } from "../../hints.ts";
import { KeyRef, PageRef } from "../../payload.ts";
import { bold } from "../../render/blocks.ts";
import { DELETE_ACTION } from "../../render/delete-confirm.ts";
import { HOME_PAGE_ACTION, HOME_ROTATE_ACTION, HOME_USE_ACTION } from "../../render/home.ts";
import { MORE_ACTION } from "../../render/paging.ts";
import type { BotDeps } from "../deps.ts";
import { envFrom } from "../env.ts";
import { publishHome } from "../events/app-home.ts";

// Buttons: the delete confirmation (Slack shows its confirm dialog before this runs), the Home tab's "Use",
// "Rotate…" and page buttons, and "Show more" under a long message. A button's value says which key or page
// (payload.ts has checked it before this runs); rights are checked again here, on click. Whatever a click on the
// Home tab comes to (done, refused, failed) is shown at the top of the Home tab: nothing fails silently.

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

function jsonOf<T>(
  text: string | undefined,
  schema: { safeParse(v: unknown): { success: boolean; data?: T } },
) {
  try {
    const parsed = schema.safeParse(JSON.parse(text ?? ""));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const refOf = (args: ButtonArgs) => jsonOf(args.action.value, KeyRef);

/** The Home page the click came from (the view's private_metadata), so the same page is published again. */
function homePageOf(args: ButtonArgs): number {
  const metadata = (args.body as { view?: { private_metadata?: unknown } }).view?.private_metadata;
  const ref = typeof metadata === "string" ? jsonOf(metadata, PageRef) : undefined;
  return ref?.v === "home" ? ref.p : 0;
}

/** What a refused or failed click says, in the person's words. */
const failureText = (err: unknown): string =>
  err instanceof Answer ? String(err.reply.text) : renderError(err).text;

export function register(app: App, deps: BotDeps): void {
  app.action<BlockButtonAction>(DELETE_ACTION, async (args) => {
    await args.ack();
    const ref = refOf(args);
    const env = envFrom(args, deps);
    if (!ref || !env) return;
    try {
      await requireAccess(env, ref.profile, "operate", "delete");
      await resolveKey(env, ref.name, "delete", ref.profile);
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

  app.action<BlockButtonAction>(MORE_ACTION, async (args) => {
    await args.ack();
    const ref = jsonOf(args.action.value, PageRef);
    const env = envFrom(args, deps);
    if (!ref || ref.v === "home" || !env) return;
    try {
      // A new message below the last page, so what was shown stays visible.
      await args.respond({ ...(await morePage(env, ref)), replace_original: false });
    } catch (err) {
      await args.respond({ ...ephemeral(failureText(err)), replace_original: false }).catch(() => undefined);
    }
  });

  app.action<BlockButtonAction>(HOME_PAGE_ACTION, async (args) => {
    await args.ack();
    const ref = jsonOf(args.action.value, PageRef);
    const page = ref?.v === "home" ? ref.p : 0;
    await publishHome(
      deps,
      {
        env: envFrom(args, deps),
        client: args.client,
        userId: args.body.user.id,
        actor: actorOf(args as never),
      },
      { page },
    );
  });

  app.action<BlockButtonAction>(HOME_USE_ACTION, async (args) => {
    await args.ack();
    const ref = refOf(args);
    const env = envFrom(args, deps);
    if (!ref || !env) return;
    let notice: string;
    try {
      await requireAccess(env, ref.profile, "operate", "use");
      await env.core.keys.use(ref.name, ref.profile);
      notice = `:white_check_mark: ${bold(ref.profile)} now uses ${bold(ref.name)}.`;
      await announce(env, `<@${env.actor.userId}> switched ${bold(ref.profile)} to ${bold(ref.name)}`);
    } catch (err) {
      args.logger.warn(`home use failed: ${err instanceof Answer ? "refused" : renderError(err).code}`);
      notice = `:warning: ${bold(ref.name)} was not made active in ${bold(ref.profile)}. ${failureText(err)}`;
    }
    await publishHome(
      deps,
      { env, client: env.client, userId: args.body.user.id, actor: env.actor },
      { page: homePageOf(args), notice },
    );
  });

  app.action<BlockButtonAction>(HOME_ROTATE_ACTION, async (args) => {
    await args.ack();
    const ref = refOf(args);
    const env = envFrom(args, deps, { triggerId: args.body.trigger_id });
    if (!ref || !env) return;
    try {
      // The form opens at once and says there why it cannot rotate (refused, key gone).
      await openForm(env, "Rotate a key", async () => {
        await requireAccess(env, ref.profile, "operate", "rotate");
        await resolveKey(env, ref.name, "rotate", ref.profile);
        return rotateView(env, ref.profile, ref.name);
      });
    } catch (err) {
      // The form could not even open (Slack refused views.open, or limited it): say so on the Home tab.
      args.logger.warn(`home rotate failed: ${renderError(err).code}`);
      await publishHome(
        deps,
        { env, client: env.client, userId: args.body.user.id, actor: env.actor },
        {
          page: homePageOf(args),
          notice: `:warning: The rotate form for ${bold(ref.name)} could not open. ${failureText(err)}`,
        },
      );
    }
  });
}
