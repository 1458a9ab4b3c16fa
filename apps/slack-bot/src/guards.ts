import type { AnyMiddlewareArgs, App, Logger, Middleware, SlackViewAction } from "@slack/bolt";
import type { Policy } from "./authz/config-file.ts";
import { type Actor, workspaceAllowed } from "./authz/decide.ts";
import { REFUSALS } from "./hints.ts";
import { containsKeyShaped } from "./key-guard.ts";
import { checkPayload, claimedActor } from "./payload.ts";

// Global middleware that runs before any listener, after the replay guard. Each one acknowledges what it refuses
// right away, so a refused request never waits on Slack's 3-second timer.

/** Block ids whose inputs are meant to hold a key; every other text field is checked for key-shaped strings. */
export const KEY_BLOCKS: ReadonlySet<string> = new Set(["key", "new_key"]);

export interface Refusal {
  actor: Actor;
  /** `delivery`: an authentic request in another spelling (a replay attempt); `payload`: a value the bot does not take. */
  reason: "key-in-text" | "workspace" | "delivery" | "payload";
  where: "command" | "modal" | "http" | "socket";
}

export type OnRefusal = (refusal: Refusal) => Promise<void> | void;

export function actorOf(
  args: AnyMiddlewareArgs & { context: { teamId?: string; enterpriseId?: string } },
): Actor {
  const body = args.body as { user_id?: string; user?: { id?: string }; event?: { user?: string } };
  const userId = body.user_id ?? body.user?.id ?? body.event?.user ?? "";
  return { teamId: args.context.teamId, enterpriseId: args.context.enterpriseId, userId };
}

/** The first non-key input of a submitted view that holds a key-shaped string, as its block id. */
export function keyShapedBlock(view: SlackViewAction["view"]): string | undefined {
  for (const [blockId, actions] of Object.entries(view.state?.values ?? {})) {
    if (KEY_BLOCKS.has(blockId)) continue;
    for (const action of Object.values(actions)) {
      const value = (action as { value?: unknown }).value;
      if (typeof value === "string" && containsKeyShaped(value)) return blockId;
    }
  }
  return undefined;
}

/**
 * Before Bolt reads a body at all (its routing dereferences fields, and a `null` payload makes it throw before any
 * middleware), a body that is not something the bot accepts (payload.ts) is acknowledged and dropped, nothing run.
 * Over HTTP the front door (http-intake.ts) has already answered such a body with a 400; in Socket Mode this is
 * the check.
 */
export function checkPayloadsFirst(app: App, logger: Logger, onRefusal: OnRefusal): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event) => {
    const checked = checkPayload(event.body);
    if (checked.ok) return processEvent(event);
    logger.warn(`refused a delivery: payload ${checked.reason}`);
    await event.ack();
    await onRefusal({ actor: claimedActor(event.body), reason: "payload", where: "socket" });
  };
}

export function keyInTextGuard(onRefusal: OnRefusal): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as { type?: string; command?: string; text?: string };
    if (typeof body.command === "string" && containsKeyShaped(body.text)) {
      await (args as unknown as { ack: (r: unknown) => Promise<void> }).ack({
        response_type: "ephemeral",
        text: REFUSALS.keyInText,
      });
      await onRefusal({ actor: actorOf(args), reason: "key-in-text", where: "command" });
      return;
    }
    if (body.type === "view_submission") {
      const block = keyShapedBlock((args.body as SlackViewAction).view);
      if (block !== undefined) {
        await (args as unknown as { ack: (r: unknown) => Promise<void> }).ack({
          response_action: "errors",
          errors: {
            [block]:
              "That looks like a key: it belongs only in the key field. Treat it as exposed and rotate it.",
          },
        });
        await onRefusal({ actor: actorOf(args), reason: "key-in-text", where: "modal" });
        return;
      }
    }
    await args.next();
  };
}

export function workspaceGuard(policy: Policy, onRefusal: OnRefusal): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const actor = actorOf(args);
    if (workspaceAllowed(policy, actor)) {
      await args.next();
      return;
    }
    const body = args.body as { command?: string; type?: string };
    const ack = (args as { ack?: (r?: unknown) => Promise<void> }).ack;
    if (typeof body.command === "string")
      await ack?.({ response_type: "ephemeral", text: REFUSALS.workspace });
    else if (body.type === "view_submission")
      await ack?.({ response_action: "push", view: notice(REFUSALS.workspace) });
    else await ack?.();
    await onRefusal({
      actor,
      reason: "workspace",
      where: body.type === "view_submission" ? "modal" : "command",
    });
  };
}

function notice(text: string) {
  return {
    type: "modal" as const,
    title: { type: "plain_text" as const, text: "apikey" },
    blocks: [{ type: "section", text: { type: "mrkdwn", text } }],
  };
}
