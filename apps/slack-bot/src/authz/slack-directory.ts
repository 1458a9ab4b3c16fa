import type { Logger, webApi } from "@slack/bolt";
import { MAY_WAIT, retryAfterOf, slackCall } from "../slack-calls.ts";
import type { Directory } from "./decide.ts";

// Membership and admin facts from Slack's Web API, cached: usergroups.users.list is rate tier 2 (about 20 calls a
// minute), and a busy channel would exhaust it. A failed look-up denies (fail closed) and is not cached, so the
// next command tries again. A 429 is waited out once; if Slack still limits the bot, the look-up throws
// SlackRateLimited (not cached) so the person is told to try again, not told they are not allowed.

export interface DirectoryOptions {
  ttlMs?: number;
  now?: () => number;
  logger?: Logger;
}

export function slackDirectory(client: webApi.WebClient, options: DirectoryOptions = {}): Directory {
  const ttl = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const groups = new Map<string, { at: number; members: Promise<ReadonlySet<string>> }>();
  const admins = new Map<string, { at: number; admin: Promise<boolean> }>();

  const cached = <T>(map: Map<string, { at: number } & T>, key: string): T | undefined => {
    const hit = map.get(key);
    if (hit && now() - hit.at < ttl) return hit;
    map.delete(key);
    return undefined;
  };

  return {
    groupMembers(groupId) {
      const hit = cached(groups, groupId);
      if (hit) return hit.members;
      // One request per group even when many commands arrive at once: they share the promise.
      const members = slackCall(
        "usergroups.users.list",
        () => client.usergroups.users.list({ usergroup: groupId }),
        MAY_WAIT,
      )
        .then((r) => new Set(r.users ?? []) as ReadonlySet<string>)
        .catch((err: unknown) => {
          groups.delete(groupId);
          if (retryAfterOf(err) !== undefined) throw err;
          options.logger?.warn(`usergroups.users.list failed for ${groupId}: ${slackErrorCode(err)}`);
          return new Set<string>() as ReadonlySet<string>;
        });
      groups.set(groupId, { at: now(), members });
      return members;
    },
    isWorkspaceAdmin(userId) {
      const hit = cached(admins, userId);
      if (hit) return hit.admin;
      const admin = slackCall("users.info", () => client.users.info({ user: userId }), MAY_WAIT)
        .then((r) => Boolean(r.user?.is_admin || r.user?.is_owner || r.user?.is_primary_owner))
        .catch((err: unknown) => {
          admins.delete(userId);
          if (retryAfterOf(err) !== undefined) throw err;
          options.logger?.warn(`users.info failed for ${userId}: ${slackErrorCode(err)}`);
          return false;
        });
      admins.set(userId, { at: now(), admin });
      return admin;
    },
  };
}

/** Slack's error code (`user_not_found`), never the whole error: its message can quote the request. */
export function slackErrorCode(err: unknown): string {
  const data = (err as { data?: { error?: unknown } })?.data;
  if (typeof data?.error === "string") return data.error;
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? code : "unknown error";
}
