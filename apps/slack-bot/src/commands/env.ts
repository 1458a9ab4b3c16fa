import type { KeyListItem } from "@apikey/core";
import type { Logger, RespondArguments, webApi } from "@slack/bolt";
import type { Policy } from "../authz/config-file.ts";
import { type Access, type Actor, type Directory, decide } from "../authz/decide.ts";
import type { CorePort } from "../core-port.ts";
import { REFUSALS } from "../hints.ts";
import { isNameRef } from "../name-ref.ts";
import { bold } from "../render/blocks.ts";

// What a command runs with: the core as this person, who they are, and what they may do.

export interface CommandEnv {
  core: CorePort;
  actor: Actor;
  policy: Policy;
  directory: Directory;
  client: webApi.WebClient;
  logger: Logger;
  channelId: string | undefined;
  triggerId: string | undefined;
  now: () => Date;
}

/** A refusal or a not-found that ends the command with a message for the person. */
export class Answer extends Error {
  override readonly name = "Answer";
  constructor(readonly reply: RespondArguments) {
    super("answer");
  }
}

export const ephemeral = (text: string): RespondArguments => ({ response_type: "ephemeral", text });

export async function may(env: CommandEnv, profile: string, access: Access): Promise<boolean> {
  return (await decide(env.policy, env.directory, env.actor, profile, access)).allowed;
}

/** Throws an Answer (and audits the refusal) unless the person may `access` the profile. */
export async function requireAccess(
  env: CommandEnv,
  profile: string,
  access: Access,
  action: string,
): Promise<void> {
  await checkTyped(env, profile, "profile", action);
  if (await may(env, profile, access)) return;
  await refuse(env, action, "not-authorized", profile);
  throw new Answer(ephemeral(REFUSALS.notAllowed(profile, access)));
}

/** Every refusal is logged and audited (short codes only: never what the person typed). */
async function refuse(env: CommandEnv, action: string, reason: string, profile?: string): Promise<void> {
  env.logger.warn(
    `refused ${action}${profile ? ` on ${profile}` : ""} for ${env.actor.teamId}/${env.actor.userId}: ${reason}`,
  );
  await env.core.auditRefusal({ action, ...(profile ? { profile } : {}), reason });
}

/** Whether the person may see (or operate) any profile the config names, or any profile at all via `*`. */
export async function hasAnyAccess(env: CommandEnv, access: Access = "view"): Promise<boolean> {
  for (const p of env.policy.profiles.keys()) if (await may(env, p, access)) return true;
  return false;
}

/** Profiles among `names` the person may see (or operate). */
export async function allowedProfiles(env: CommandEnv, names: Iterable<string>, access: Access = "view") {
  const out: string[] = [];
  for (const p of new Set(names)) if (await may(env, p, access)) out.push(p);
  return out.sort();
}

/**
 * A key by `NAME` or `profile/NAME`, among the keys the person may see: a name in a profile they cannot see is
 * reported as not found, so the bot does not tell strangers what exists.
 */
export async function resolveKey(
  env: CommandEnv,
  ref: string,
  action: string,
  profileArg?: string,
): Promise<KeyListItem> {
  const slash = ref.indexOf("/");
  const profile = profileArg ?? (slash > 0 ? ref.slice(0, slash) : undefined);
  const name = slash > 0 && profileArg === undefined ? ref.slice(slash + 1) : ref;
  await checkTyped(env, name, "key", action);
  if (profile !== undefined) await checkTyped(env, profile, "profile", action);
  const keys = (await listOrNone(env.core, profile ? { profile } : {})).filter(
    (k) => k.name === name && k.status !== "rotated" && (profile === undefined || k.profile === profile),
  );
  const visible = await allowedProfiles(
    env,
    keys.map((k) => k.profile),
  );
  const found = keys.filter((k) => visible.includes(k.profile));
  if (found.length === 1) return found[0] as KeyListItem;
  if (found.length === 0) {
    // Audited like any refusal; the profile only when it is one the person may see (else it would say what exists).
    const seen = profile !== undefined && (await may(env, profile, "view")) ? profile : undefined;
    await refuse(env, action, "not-found", seen);
    if (!(await hasAnyAccess(env))) throw new Answer(ephemeral(REFUSALS.noAccess));
    throw new Answer(
      ephemeral(
        `No key named ${bold(name)}${profile ? ` in ${bold(profile)}` : ""} that you may see.\n\`/apikey list\` shows the names you can use.`,
      ),
    );
  }
  const where = found.map((k) => `\`${k.profile}/${k.name}\``).join(", ");
  throw new Answer(ephemeral(`${bold(name)} is in several profiles: write one of ${where}.`));
}

/**
 * A name someone typed (or a payload carried) is named back only once it fits the core's name rule: anything else
 * gets an answer that quotes nothing, since it may be a mistyped secret, markup that mentions a channel, or text
 * meant to look like the bot's own words. The refusal is audited without the name.
 */
async function checkTyped(env: CommandEnv, name: string, what: "key" | "profile", action: string) {
  if (isNameRef(name)) return;
  await refuse(env, action, `bad-${what}-name`);
  throw new Answer(
    ephemeral(
      `That is not a valid ${what} name: names use 1–64 letters, digits, '.', '_' or '-'.\n\`/apikey list\` shows the names you can use.`,
    ),
  );
}

/** A profile the config names may not exist in the store yet (its first key creates it): list it as empty. */
export async function listOrNone(
  core: CommandEnv["core"],
  filter: { profile?: string },
): Promise<KeyListItem[]> {
  try {
    return await core.keys.list(filter);
  } catch (err) {
    if ((err as { code?: string }).code === "E_PROFILE_NOT_FOUND") return [];
    throw err;
  }
}
