import type { App } from "@slack/bolt";
import type { BotDeps } from "../../app.ts";
import { actorOf } from "../../guards.ts";
import { homeView } from "../../render/home.ts";

// Bolt acks events before any listener runs, so the publish is the only work here. A failure is logged by code:
// the Home tab simply keeps its previous content.
export function register(app: App, deps: BotDeps): void {
  app.event("app_home_opened", async (args) => {
    const { event, client, logger } = args;
    if (event.tab !== "home") return;
    const actor = actorOf(args as never);
    const view = await homeView(deps, actor);
    await client.views.publish({ user_id: event.user, view }).catch((err: unknown) => {
      logger.warn(`views.publish failed: ${(err as { data?: { error?: string } }).data?.error ?? "unknown"}`);
    });
  });
}
