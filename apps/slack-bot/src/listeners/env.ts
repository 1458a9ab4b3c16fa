import type { AllMiddlewareArgs, webApi } from "@slack/bolt";
import type { CommandEnv } from "../commands/env.ts";
import { actorOf } from "../guards.ts";
import type { BotDeps } from "./deps.ts";

// Builds a command's environment from Bolt's listener arguments: the person, and the core acting as them.
export function envFrom(
  args: AllMiddlewareArgs & { body: unknown },
  deps: BotDeps,
  where: { channelId?: string | undefined; triggerId?: string | undefined } = {},
): CommandEnv | undefined {
  if (!deps.core) return undefined;
  const actor = actorOf(args as never);
  const body = args.body as { user_name?: string; user?: { name?: string; username?: string } };
  const displayName = body.user_name ?? body.user?.username ?? body.user?.name;
  return {
    core: deps.core({ teamId: actor.teamId, userId: actor.userId, displayName }),
    actor,
    policy: deps.policy,
    directory: deps.directory,
    client: args.client as webApi.WebClient,
    logger: deps.logger,
    channelId: where.channelId,
    triggerId: where.triggerId,
    now: () => deps.clock.now(),
  };
}
