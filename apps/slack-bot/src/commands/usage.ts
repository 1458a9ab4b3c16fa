import { totalsOf } from "@apikey/core";
import type { RespondArguments } from "@slack/bolt";
import { usageBlocks } from "../render/keys.ts";
import { reportedItems } from "../render/reported.ts";
import { allowedProfiles, type CommandEnv, ephemeral, resolveKey } from "./env.ts";
import { paged } from "./paged.ts";
import type { Command } from "./parse.ts";

// `/apikey usage`: what apikey recorded over the last 7 or 30 days (core's window), grouped as asked, and what
// Anthropic reported beside it — each limited to what this person may see.

export async function usage(
  env: CommandEnv,
  cmd: Extract<Command, { kind: "usage" }>,
  page: number,
): Promise<RespondArguments> {
  const keys = await env.core.keys.list({});
  const profiles = await allowedProfiles(
    env,
    keys.map((k) => k.profile),
  );
  const mine = keys.filter((k) => profiles.includes(k.profile));
  const key = cmd.key ? await resolveKey(env, cmd.key, "usage") : undefined;
  // Usage spans profiles; someone who may not see every key sees a report per key they may see, never totals of
  // keys they may not.
  const everything = mine.length === keys.length;
  if (!key && !everything && cmd.by !== "key" && cmd.by !== "token") {
    return ephemeral("You may not see every key, so ask for `usage … by key` or `usage … key NAME`.");
  }
  const days = cmd.window === "30d" ? 30 : 7;
  const report = await env.core.usage.report({
    lastDays: days,
    by: cmd.by,
    ...(key ? { keyId: key.id } : {}),
  });
  const keyNames = new Map(keys.map((k) => [k.id, `${k.profile}/${k.name}`]));
  const names = new Map(keyNames);
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
  const totals = rows === report.rows ? report.totals : totalsOf(rows);
  const title = `Usage, last ${days} days by ${cmd.by}${key ? ` for ${key.profile}/${key.name}` : ""}`;
  const label = (g: string) =>
    cmd.by === "key" ? (names.get(g) ?? "another key") : cmd.by === "token" ? (names.get(g) ?? g) : g;
  const { items, footer } = usageBlocks(rows, totals, title, label);
  // What Anthropic reported beside it: the keys the person may see; the Workbench, organization keys the store
  // does not hold and deleted keys only to someone who sees every key (as usage without a token).
  const reported = (await env.core.usage.reported({ lastDays: days })).filter((r) =>
    key ? r.keyId === key.id : everything || mine.some((k) => k.id === r.keyId),
  );
  const status = new Map(keys.map((k) => [k.id, k.status]));
  const keyLabel = (id: string) => {
    const state = status.get(id);
    const name = keyNames.get(id) ?? "(a deleted key)";
    return state === undefined || state === "active" ? name : `${name} (${state})`;
  };
  return paged(
    title,
    [...items, ...reportedItems(reported, keyLabel)],
    page,
    (p) => ({ v: "usage", p, w: cmd.window, by: cmd.by, ...(cmd.key ? { key: cmd.key } : {}) }),
    footer,
  );
}
