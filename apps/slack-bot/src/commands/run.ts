import type { RespondArguments } from "@slack/bolt";
import { bold, context, section } from "../render/blocks.ts";
import { auditBlocks, keyList, statusBlocks, usageBlocks } from "../render/keys.ts";
import { addModal, rotateModal } from "../render/modals.ts";
import { encodeOrigin } from "../render/submission.ts";
import { announce } from "./announce.ts";
import { allowedProfiles, type CommandEnv, ephemeral, listOrNone, requireAccess, resolveKey } from "./env.ts";
import type { Command } from "./parse.ts";

// One function per subcommand: authorize, call the core, render. No rule of the core's is repeated here.

const DEFAULT_PROFILE = "default";
const DAY_MS = 86_400_000;

export const DELETE_ACTION = "apikey_delete";

type Reply = RespondArguments | undefined;

export async function runCommand(cmd: Command, env: CommandEnv): Promise<Reply> {
  switch (cmd.kind) {
    case "help":
      return undefined;
    case "list":
      return list(env, cmd.profile);
    case "status":
      return status(env);
    case "use": {
      const key = await resolveKey(env, cmd.name, cmd.profile);
      await requireAccess(env, key.profile, "operate", "use");
      await env.core.keys.use(key.name, key.profile);
      await announce(env, `<@${env.actor.userId}> switched ${bold(key.profile)} to ${bold(key.name)}`);
      return ephemeral(`${bold(key.profile)} now uses ${bold(key.name)} (\`${key.masked}\`).`);
    }
    case "add":
      return openAdd(env, cmd.profile ?? DEFAULT_PROFILE);
    case "rotate":
      return openRotate(env, cmd.name);
    case "validate": {
      const key = await resolveKey(env, cmd.name);
      await requireAccess(env, key.profile, "operate", "validate");
      const { validation } = await env.core.keys.validate(key.name, key.profile);
      return ephemeral(`${bold(key.name)}: ${validation.outcome}. ${validation.message}`);
    }
    case "disable":
    case "enable": {
      const key = await resolveKey(env, cmd.name);
      await requireAccess(env, key.profile, "operate", cmd.kind);
      await env.core.keys[cmd.kind](key.name, key.profile);
      return ephemeral(`${bold(key.name)} in ${bold(key.profile)} is ${cmd.kind}d.`);
    }
    case "rename": {
      const key = await resolveKey(env, cmd.name);
      await requireAccess(env, key.profile, "operate", "rename");
      await env.core.keys.rename(key.name, cmd.newName, key.profile);
      return ephemeral(`${bold(key.name)} in ${bold(key.profile)} is now ${bold(cmd.newName)}.`);
    }
    case "delete": {
      const key = await resolveKey(env, cmd.name);
      await requireAccess(env, key.profile, "operate", "delete");
      return confirmDelete(key.profile, key.name, key.masked);
    }
    case "budget-set": {
      const key = await resolveKey(env, cmd.name);
      await requireAccess(env, key.profile, "operate", "budget");
      await env.core.usage.setBudget({
        name: key.name,
        profile: key.profile,
        usd: cmd.usd,
        mode: cmd.block ? "block" : "warn",
      });
      return ephemeral(
        `${bold(key.name)} has a monthly budget of $${cmd.usd.toFixed(2)}${cmd.block ? "; use stops at 100 %" : ""}.`,
      );
    }
    case "budget-clear": {
      const key = await resolveKey(env, cmd.name);
      await requireAccess(env, key.profile, "operate", "budget");
      await env.core.usage.clearBudget(key.name, key.profile);
      return ephemeral(`${bold(key.name)} has no budget now.`);
    }
    case "usage":
      return usage(env, cmd);
    case "audit":
      return audit(env, cmd.limit);
  }
}

async function list(env: CommandEnv, profile: string | undefined): Promise<Reply> {
  if (profile) await requireAccess(env, profile, "view", "list");
  const keys = await listOrNone(env.core, profile ? { profile } : {});
  const profiles = await allowedProfiles(
    env,
    keys.map((k) => k.profile),
  );
  const visible = keys.filter((k) => profiles.includes(k.profile) && k.status !== "rotated");
  return { response_type: "ephemeral", text: "Your keys", blocks: keyList(visible, profiles) };
}

async function status(env: CommandEnv): Promise<Reply> {
  const keys = await env.core.keys.list({});
  const owed = (await env.core.keys.owedDeactivations?.()) ?? [];
  const profiles = await allowedProfiles(env, [...keys.map((k) => k.profile), ...owed.map((d) => d.profile)]);
  const visible = keys.filter((k) => profiles.includes(k.profile) && k.status !== "rotated");
  return { response_type: "ephemeral", text: "Status", blocks: statusBlocks(visible, profiles, owed) };
}

async function usage(env: CommandEnv, cmd: Extract<Command, { kind: "usage" }>): Promise<Reply> {
  const keys = await env.core.keys.list({});
  const profiles = await allowedProfiles(
    env,
    keys.map((k) => k.profile),
  );
  const mine = keys.filter((k) => profiles.includes(k.profile));
  const key = cmd.key ? await resolveKey(env, cmd.key) : undefined;
  // Usage spans profiles; someone who may not see every key sees a report per key they may see, never totals of
  // keys they may not.
  const everything = mine.length === keys.length;
  if (!key && !everything && cmd.by !== "key" && cmd.by !== "token") {
    return ephemeral("You may not see every key, so ask for `usage … by key` or `usage … key NAME`.");
  }
  const days = cmd.window === "30d" ? 30 : 7;
  const report = await env.core.usage.report({
    since: new Date(env.now().getTime() - days * DAY_MS),
    by: cmd.by,
    ...(key ? { keyId: key.id } : {}),
  });
  const names = new Map(keys.map((k) => [k.id, `${k.profile}/${k.name}`]));
  let rows = report.rows;
  if (cmd.by === "key") rows = rows.filter((r) => mine.some((k) => k.id === r.group));
  if (cmd.by === "token") {
    // A token is seen by whoever may see its profile; one bound to none (the gateway's own profile) and usage
    // that came without a token only by someone who sees every key.
    const tokens = await env.core.tokens.list({ includeRevoked: true });
    const seen = await allowedProfiles(
      env,
      tokens.flatMap((t) => (t.profile ? [t.profile] : [])),
    );
    names.clear();
    if (everything) names.set("", "(no token)");
    for (const t of tokens) {
      if (t.profile ? seen.includes(t.profile) : everything) {
        names.set(t.id, `${t.name}${t.revokedAt ? " (revoked)" : ""}`);
      }
    }
    rows = rows.filter((r) => names.has(r.group));
  }
  const totals = rows === report.rows ? report.totals : sum(rows);
  const title = `Usage, last ${days} days by ${cmd.by}${key ? ` for ${key.profile}/${key.name}` : ""}`;
  const label = (g: string) =>
    cmd.by === "key" ? (names.get(g) ?? "another key") : cmd.by === "token" ? (names.get(g) ?? g) : g;
  return {
    response_type: "ephemeral",
    text: title,
    blocks: usageBlocks(rows, totals, title, label),
  };
}

function sum(rows: { requests: number; inputTokens: number; outputTokens: number; costUsd: number }[]) {
  return rows.reduce(
    (t, r) => ({
      requests: t.requests + r.requests,
      inputTokens: t.inputTokens + r.inputTokens,
      outputTokens: t.outputTokens + r.outputTokens,
      costUsd: t.costUsd + r.costUsd,
    }),
    { requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
  );
}

async function audit(env: CommandEnv, limit: number): Promise<Reply> {
  // Read more than asked, then keep what this person may see.
  const rows = await env.core.audit({ limit: limit * 4 });
  const profiles = await allowedProfiles(env, rows.map((r) => r.profile ?? "").filter(Boolean));
  const visible = rows.filter((r) => r.profile !== null && profiles.includes(r.profile)).slice(0, limit);
  return { response_type: "ephemeral", text: "Audit log", blocks: auditBlocks(visible) };
}

async function openAdd(env: CommandEnv, profile: string): Promise<Reply> {
  await requireAccess(env, profile, "operate", "add");
  await env.client.views.open({
    trigger_id: env.triggerId ?? "",
    view: addModal({ profile }, encodeOrigin({ channel: env.channelId, profile })),
  });
  return undefined;
}

async function openRotate(env: CommandEnv, ref: string): Promise<Reply> {
  const key = await resolveKey(env, ref);
  await requireAccess(env, key.profile, "operate", "rotate");
  await env.client.views.open({
    trigger_id: env.triggerId ?? "",
    view: await rotateView(env, key.profile, key.name, key.masked),
  });
  return undefined;
}

export async function rotateView(
  env: Pick<CommandEnv, "core" | "channelId">,
  profile: string,
  name: string,
  masked?: string,
) {
  const inProfile = await listOrNone(env.core, { profile });
  const canDeactivate = inProfile.some((k) => k.kind === "admin" && k.status === "active");
  const shown = masked ?? inProfile.find((k) => k.name === name && k.status !== "rotated")?.masked ?? "…";
  return rotateModal(
    { profile, name, masked: shown, canDeactivate },
    encodeOrigin({ channel: env.channelId, profile, name }),
  );
}

function confirmDelete(profile: string, name: string, masked: string): Reply {
  return {
    response_type: "ephemeral",
    text: `Delete ${name}?`,
    blocks: [
      section(
        `Delete ${bold(name)} (\`${masked}\`) from ${bold(profile)}? The encrypted key is removed for good.`,
      ),
      {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: DELETE_ACTION,
            style: "danger",
            text: { type: "plain_text", text: "Delete…" },
            value: JSON.stringify({ profile, name }),
            confirm: {
              title: { type: "plain_text", text: "Delete this key?" },
              text: { type: "mrkdwn", text: `${bold(profile)}/${bold(name)} will be gone from the store.` },
              confirm: { type: "plain_text", text: "Delete" },
              deny: { type: "plain_text", text: "Keep it" },
              style: "danger",
            },
          },
        ],
      },
      context("Only you can see this."),
    ],
  };
}
