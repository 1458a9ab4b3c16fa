import type { types } from "@slack/bolt";
import type { AuditRow, DeactivationRow, KeyRow } from "../core-port.ts";
import { type Block, bold, context, divider, esc, section } from "./blocks.ts";
import { auditBlocks, spendBar } from "./keys.ts";

// The Home tab: per profile the person may see, the active key, each key's month spend against its budget,
// rotation-due flags and owed deactivations; buttons to switch and rotate where they may operate; the last audit
// entries they may see. Pure: the listener gathers the data.

export const HOME_USE_ACTION = "apikey_home_use";
export const HOME_ROTATE_ACTION = "apikey_home_rotate";

export interface HomeProfile {
  name: string;
  access: "view" | "operate";
  keys: KeyRow[];
  owed: DeactivationRow[];
}

export function homeView(input: { profiles: HomeProfile[]; audit: AuditRow[] | undefined }): types.HomeView {
  const blocks: Block[] = [{ type: "header", text: { type: "plain_text", text: "apikey" } }];
  if (input.profiles.length === 0) {
    blocks.push(
      section("You have no access to any profile. Ask whoever runs the bot to add you to its config."),
    );
  }
  for (const p of input.profiles) {
    blocks.push(divider(), section(`Profile ${bold(p.name)}${p.access === "view" ? " _(view only)_" : ""}`));
    if (input.audit !== undefined && p.keys.length === 0) blocks.push(context("No keys yet."));
    for (const k of p.keys) blocks.push(keyBlock(k, p));
    for (const d of p.owed) {
      blocks.push(
        context(
          `:lock: The old key of ${bold(d.keyName ?? "?")} is owed a deactivation at Anthropic (${esc(d.state)}).`,
        ),
      );
    }
  }
  if (input.audit && input.audit.length > 0) {
    blocks.push(divider(), section("*Recent changes*"), ...auditBlocks(input.audit));
  }
  blocks.push(context("Type `/apikey help` for the commands. Keys are always masked."));
  return { type: "home", blocks: blocks.slice(0, 100) };
}

function keyBlock(k: KeyRow, p: HomeProfile): Block {
  const lines = [
    `${k.active ? ":white_check_mark: " : ""}${bold(k.name)} \`${esc(k.masked)}\`${k.status === "active" ? "" : ` _${k.status}_`}`,
    k.budgetUsd ? `${spendBar(k.spendMonthUsd, k.budgetUsd)} of $${k.budgetUsd.toFixed(2)} this month` : null,
    k.rotationDue ? ":hourglass: due for rotation" : null,
  ].filter(Boolean);
  const value = JSON.stringify({ profile: p.name, name: k.name });
  const block: Block = { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } };
  if (p.access !== "operate" || k.status !== "active" || k.readOnly) return block;
  // One accessory per section: switch to a key that is not active, rotate the active one.
  return {
    ...block,
    accessory: k.active
      ? {
          type: "button",
          action_id: HOME_ROTATE_ACTION,
          text: { type: "plain_text", text: "Rotate…" },
          value,
        }
      : { type: "button", action_id: HOME_USE_ACTION, text: { type: "plain_text", text: "Use" }, value },
  } as Block;
}
