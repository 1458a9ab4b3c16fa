import type { DeactivationOutcome } from "@apikey/core";
import type { App, webApi } from "@slack/bolt";
import { type Actor, decide } from "../../authz/decide.ts";
import type { CommandEnv } from "../../commands/env.ts";
import { actorOf } from "../../guards.ts";
import { type HomeProfile, homeView } from "../../render/home.ts";
import { MAY_WAIT, slackCall } from "../../slack-calls.ts";
import type { BotDeps } from "../deps.ts";
import { envFrom } from "../env.ts";

// Bolt acks events before any listener runs, so publishing is the only work here. A failure is logged by code:
// the Home tab keeps its previous content.
export function register(app: App, deps: BotDeps): void {
  app.event("app_home_opened", async (args) => {
    if (args.event.tab !== "home") return;
    await publishHome(deps, {
      env: envFrom(args, deps),
      client: args.client,
      userId: args.event.user,
      actor: actorOf(args as never),
    });
  });
}

export interface HomeTarget {
  env: CommandEnv | undefined;
  client: webApi.WebClient;
  userId: string;
  actor: Actor;
}

export interface HomeShown {
  /** Which page of profiles and keys (0-based). */
  page?: number;
  /** What became of the person's last click, shown at the top. */
  notice?: string;
}

export async function publishHome(deps: BotDeps, target: HomeTarget, shown: HomeShown = {}): Promise<void> {
  try {
    const view = homeView(
      {
        ...(await gather(deps, target.env, target.actor)),
        ...(shown.notice ? { notice: shown.notice } : {}),
      },
      shown.page ?? 0,
    );
    // Nothing times the Home tab out, so a 429 is waited out once (slack-calls.ts).
    await slackCall(
      "views.publish",
      () => target.client.views.publish({ user_id: target.userId, view }),
      MAY_WAIT,
    );
  } catch (err) {
    deps.logger.warn(
      `home tab not published: ${(err as { data?: { error?: string }; code?: string; name?: string }).data?.error ?? (err as { name?: string }).name ?? "unknown"}`,
    );
  }
}

async function gather(deps: BotDeps, env: CommandEnv | undefined, actor: Actor) {
  const keys = env ? (await env.core.keys.list({})).filter((k) => k.status !== "rotated") : [];
  const owed: DeactivationOutcome[] = env ? ((await env.core.keys.owedDeactivations()) ?? []) : [];
  const configured = [...deps.policy.profiles.keys()].filter((p) => p !== "*");
  const names = [...new Set([...configured, ...keys.map((k) => k.profile)])].sort();
  const profiles: HomeProfile[] = [];
  for (const name of names) {
    const operate = (await decide(deps.policy, deps.directory, actor, name, "operate")).allowed;
    const view = operate || (await decide(deps.policy, deps.directory, actor, name, "view")).allowed;
    if (!view) continue;
    profiles.push({
      name,
      access: operate ? "operate" : "view",
      keys: keys.filter((k) => k.profile === name),
      owed: owed.filter((d) => d.profile === name),
    });
  }
  const visible = new Set(profiles.map((p) => p.name));
  const audit = env
    ? (await env.core.audit({ limit: 40 }))
        .filter((r) => r.profile !== null && visible.has(r.profile))
        .slice(0, 10)
    : undefined;
  return { profiles, audit };
}
