import type { Policy, Rule } from "./config-file.ts";

// Who may do what. Deny by default: a person is allowed only when a rule names them, one of their user groups,
// or (when the rule says so) workspace admins. Operating a profile includes viewing it.

export type Access = "view" | "operate";

export interface Actor {
  teamId: string | undefined;
  enterpriseId: string | undefined;
  userId: string;
}

/** Facts about a person that cost a Slack call each; asked for only when a rule needs them. */
export interface Directory {
  isWorkspaceAdmin(userId: string): Promise<boolean>;
  groupMembers(groupId: string): Promise<ReadonlySet<string>>;
}

export type Decision = { allowed: true } | { allowed: false; reason: "workspace" | "profile" };

export function workspaceAllowed(policy: Policy, actor: Actor): boolean {
  return (
    (actor.teamId !== undefined && policy.teams.has(actor.teamId)) ||
    (actor.enterpriseId !== undefined && policy.enterprises.has(actor.enterpriseId))
  );
}

/** The rules that could grant `access` on `profile`, cheapest-to-check first is left to `ruleAllows`. */
export function rulesFor(policy: Policy, profile: string, access: Access): Rule[] {
  const entries = [policy.profiles.get(profile), policy.profiles.get("*")];
  const rules: Rule[] = [];
  for (const entry of entries) {
    if (!entry) continue;
    if (entry.operate) rules.push(entry.operate);
    if (access === "view" && entry.view) rules.push(entry.view);
  }
  return rules;
}

export async function decide(
  policy: Policy,
  directory: Directory,
  actor: Actor,
  profile: string,
  access: Access,
): Promise<Decision> {
  if (!workspaceAllowed(policy, actor)) return { allowed: false, reason: "workspace" };
  const rules = rulesFor(policy, profile, access);
  // Listed user ids first: no Slack call needed.
  if (rules.some((r) => r.users.includes(actor.userId))) return { allowed: true };
  for (const rule of rules) {
    for (const group of rule.groups) {
      if ((await directory.groupMembers(group)).has(actor.userId)) return { allowed: true };
    }
  }
  if (rules.some((r) => r.admins) && (await directory.isWorkspaceAdmin(actor.userId)))
    return { allowed: true };
  return { allowed: false, reason: "profile" };
}

/** Profiles a person may see, out of those that exist. */
export async function visibleProfiles(
  policy: Policy,
  directory: Directory,
  actor: Actor,
  profiles: readonly string[],
  access: Access = "view",
): Promise<string[]> {
  const out: string[] = [];
  for (const p of profiles) if ((await decide(policy, directory, actor, p, access)).allowed) out.push(p);
  return out;
}
