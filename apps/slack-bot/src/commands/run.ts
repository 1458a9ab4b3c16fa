import { formatUsd } from "@apikey/core";
import type { RespondArguments, types } from "@slack/bolt";
import { REFUSALS, renderError } from "../hints.ts";
import type { PageRef } from "../payload.ts";
import { bold } from "../render/blocks.ts";
import { confirmDelete } from "../render/delete-confirm.ts";
import { auditBlocks, KEY_LIST_FOOTER, keyList, statusBlocks } from "../render/keys.ts";
import { addModal, outcomeModal, rotateModal, workingModal } from "../render/modals.ts";
import { encodeOrigin } from "../render/submission.ts";
import { MAY_WAIT, NO_WAIT, slackCall } from "../slack-calls.ts";
import { announce } from "./announce.ts";
import {
  Answer,
  allowedProfiles,
  type CommandEnv,
  ephemeral,
  hasAnyAccess,
  listOrNone,
  may,
  requireAccess,
  resolveKey,
} from "./env.ts";
import { paged } from "./paged.ts";
import type { Command } from "./parse.ts";
import { usage } from "./usage.ts";

// One function per subcommand: authorize, call the core, render. No rule of the core's is repeated here.

const DEFAULT_PROFILE = "default";

const REFUSALS_NO_ACCESS = () => REFUSALS.noAccess;

type Reply = RespondArguments | undefined;

export async function runCommand(cmd: Command, env: CommandEnv): Promise<Reply> {
  switch (cmd.kind) {
    case "help":
      return undefined;
    case "list":
      return list(env, cmd.profile, 0);
    case "status":
      return status(env, 0);
    case "use": {
      const key = await resolveKey(env, cmd.name, "use", cmd.profile);
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
      const key = await resolveKey(env, cmd.name, "validate");
      await requireAccess(env, key.profile, "operate", "validate");
      const { validation } = await env.core.keys.validate(key.name, key.profile);
      return ephemeral(`${bold(key.name)}: ${validation.outcome}. ${validation.message}`);
    }
    case "disable":
    case "enable": {
      const key = await resolveKey(env, cmd.name, cmd.kind);
      await requireAccess(env, key.profile, "operate", cmd.kind);
      await env.core.keys[cmd.kind](key.name, key.profile);
      return ephemeral(`${bold(key.name)} in ${bold(key.profile)} is ${cmd.kind}d.`);
    }
    case "rename": {
      const key = await resolveKey(env, cmd.name, "rename");
      await requireAccess(env, key.profile, "operate", "rename");
      await env.core.keys.rename(key.name, cmd.newName, key.profile);
      return ephemeral(`${bold(key.name)} in ${bold(key.profile)} is now ${bold(cmd.newName)}.`);
    }
    case "delete": {
      const key = await resolveKey(env, cmd.name, "delete");
      await requireAccess(env, key.profile, "operate", "delete");
      return confirmDelete(key.profile, key.name, key.masked);
    }
    case "budget-set": {
      const key = await resolveKey(env, cmd.name, "budget");
      await requireAccess(env, key.profile, "operate", "budget");
      await env.core.usage.setBudget({
        name: key.name,
        profile: key.profile,
        usd: cmd.usd,
        mode: cmd.block ? "block" : "warn",
      });
      return ephemeral(
        `${bold(key.name)} has a monthly budget of ${formatUsd(cmd.usd)}${cmd.block ? "; use stops at 100 %" : ""}.`,
      );
    }
    case "budget-clear": {
      const key = await resolveKey(env, cmd.name, "budget");
      await requireAccess(env, key.profile, "operate", "budget");
      await env.core.usage.clearBudget(key.name, key.profile);
      return ephemeral(`${bold(key.name)} has no budget now.`);
    }
    case "usage":
      return usage(env, cmd, 0);
    case "audit":
      return audit(env, cmd.limit, 0);
  }
}

/** The next page a "Show more" button asks for: the list is read again, with the person's rights of now. */
export async function morePage(
  env: CommandEnv,
  ref: Exclude<PageRef, { v: "home" }>,
): Promise<RespondArguments> {
  switch (ref.v) {
    case "list":
      return list(env, ref.profile, ref.p);
    case "status":
      return status(env, ref.p);
    case "audit":
      return audit(env, ref.n, ref.p);
    case "usage":
      return usage(env, { kind: "usage", window: ref.w, by: ref.by, key: ref.key }, ref.p);
  }
}

async function list(env: CommandEnv, profile: string | undefined, page: number): Promise<RespondArguments> {
  if (profile) await requireAccess(env, profile, "view", "list");
  else if (!(await hasAnyAccess(env))) return ephemeral(REFUSALS_NO_ACCESS());
  const keys = await listOrNone(env.core, profile ? { profile } : {});
  const profiles = await allowedProfiles(
    env,
    keys.map((k) => k.profile),
  );
  const visible = keys.filter((k) => profiles.includes(k.profile) && k.status !== "rotated");
  // Point at `/apikey add` only someone who may run it.
  const canAdd = profile ? await may(env, profile, "operate") : await hasAnyAccess(env, "operate");
  const empty = canAdd
    ? "No keys you may see yet. `/apikey add` opens a form to add one."
    : "No keys you may see yet. Whoever operates your profiles can add them.";
  return paged(
    "Your keys",
    keyList(visible, profiles, empty),
    page,
    (p) => ({ v: "list", p, ...(profile ? { profile } : {}) }),
    visible.length ? KEY_LIST_FOOTER() : undefined,
  );
}

async function status(env: CommandEnv, page: number): Promise<RespondArguments> {
  if (!(await hasAnyAccess(env))) return ephemeral(REFUSALS_NO_ACCESS());
  const keys = await env.core.keys.list({});
  const owed = (await env.core.keys.owedDeactivations()) ?? [];
  const profiles = await allowedProfiles(env, [...keys.map((k) => k.profile), ...owed.map((d) => d.profile)]);
  const visible = keys.filter((k) => profiles.includes(k.profile) && k.status !== "rotated");
  return paged("Status", statusBlocks(visible, profiles, owed), page, (p) => ({ v: "status", p }));
}

async function audit(env: CommandEnv, limit: number, page: number): Promise<RespondArguments> {
  if (!(await hasAnyAccess(env))) return ephemeral(REFUSALS_NO_ACCESS());
  // Read more than asked, then keep what this person may see.
  const rows = await env.core.audit({ limit: limit * 4 });
  const profiles = await allowedProfiles(env, rows.map((r) => r.profile ?? "").filter(Boolean));
  const visible = rows.filter((r) => r.profile !== null && profiles.includes(r.profile)).slice(0, limit);
  return paged("Audit log", auditBlocks(visible), page, (p) => ({ v: "audit", p, n: limit }));
}

/**
 * Opens a form at once, in a loading state, then fills it: a trigger expires 3 seconds after the command or click,
 * and reading the store and checking rights (which may ask Slack, which may answer 429) can take longer. A refusal
 * or an error is shown in the form itself. A 429 on views.open cannot wait (the trigger would expire): it throws,
 * and the caller tells the person to try again.
 */
export async function openForm(
  env: CommandEnv,
  title: string,
  fill: () => Promise<types.ModalView>,
): Promise<void> {
  const opened = await slackCall(
    "views.open",
    () => env.client.views.open({ trigger_id: env.triggerId ?? "", view: workingModal(title, "Loading…") }),
    NO_WAIT,
  );
  const viewId = opened.view?.id;
  let view: types.ModalView;
  try {
    view = await fill();
  } catch (err) {
    if (err instanceof Answer) view = outcomeModal(title, [String(err.reply.text)]);
    else {
      const rendered = renderError(err);
      env.logger.warn(`form not filled: ${rendered.code}`);
      view = outcomeModal(title, [rendered.text]);
    }
  }
  if (!viewId) return;
  await slackCall("views.update", () => env.client.views.update({ view_id: viewId, view }), MAY_WAIT);
}

async function openAdd(env: CommandEnv, profile: string): Promise<Reply> {
  await openForm(env, "Add a key", async () => {
    await requireAccess(env, profile, "operate", "add");
    return addModal({ profile }, encodeOrigin({ channel: env.channelId, profile }));
  });
  return undefined;
}

async function openRotate(env: CommandEnv, ref: string): Promise<Reply> {
  await openForm(env, "Rotate a key", async () => {
    const key = await resolveKey(env, ref, "rotate");
    await requireAccess(env, key.profile, "operate", "rotate");
    return rotateView(env, key.profile, key.name, key.masked);
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
  const key = inProfile.find((k) => k.name === name && k.status !== "rotated");
  // Core says when a rotation would be refused (a federated key: nothing to rotate): no form, its reason instead.
  if (key?.cannotRotate)
    return outcomeModal(
      "Rotate a key",
      [key.cannotRotate.message, key.cannotRotate.hint ?? ""].filter(Boolean),
    );
  // Core decides what the rotation will owe upstream (an API key in a profile holding an Admin key).
  const upstream = key?.upstreamOnRotate ?? "none";
  return rotateModal(
    {
      profile,
      name,
      masked: masked ?? key?.masked ?? "…",
      canDeactivate: upstream === "pending",
      nothingUpstream: upstream === "none",
    },
    encodeOrigin({ channel: env.channelId, profile, name }),
  );
}
