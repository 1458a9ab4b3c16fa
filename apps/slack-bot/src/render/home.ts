import { type AuditEntry, type DeactivationOutcome, formatUsd, type KeyListItem } from "@apikey/core";
import type { types } from "@slack/bolt";
import { type Block, bold, context, divider, esc, section } from "./blocks.ts";
import { auditBlocks, owedLine, spendBar } from "./keys.ts";
import { fit, LIMITS } from "./limits.ts";
import { type Item, paginate } from "./paging.ts";

// The Home tab: per profile the person may see, the active key, each key's month spend against its budget,
// rotation-due flags and owed deactivations; buttons to switch and rotate where they may operate; the last audit
// entries they may see. Pure: the listener gathers the data.

export const HOME_USE_ACTION = "apikey_home_use";
export const HOME_ROTATE_ACTION = "apikey_home_rotate";
/** "Previous" / "Next" on the Home tab: its value names the page to publish. */
export const HOME_PAGE_ACTION = "apikey_home_page";

export interface HomeProfile {
  name: string;
  access: "view" | "operate";
  keys: KeyListItem[];
  owed: DeactivationOutcome[];
}

export interface HomeInput {
  profiles: HomeProfile[];
  audit: AuditEntry[] | undefined;
  /** What became of the person's last click ("Use", "Rotate…"), shown at the top until the next publish. */
  notice?: string;
}

// Blocks of each page kept for the header, the notice, the page line and buttons, the audit and the footer.
const HOME_RESERVED = 12;

export function homeView(input: HomeInput, page = 0): types.HomeView {
  const items: Item[] = [];
  if (input.profiles.length === 0) {
    items.push({
      block: section("You have no access to any profile. Ask whoever runs the bot to add you to its config."),
    });
  }
  for (const p of input.profiles) {
    const heading = section(`Profile ${bold(p.name)}${p.access === "view" ? " _(view only)_" : ""}`);
    const continued = section(
      `Profile ${bold(p.name)}${p.access === "view" ? " _(view only)_" : ""} _(continued)_`,
    );
    items.push({ block: divider() }, { block: heading });
    if (input.audit !== undefined && p.keys.length === 0)
      items.push({ block: context("No keys yet."), continued });
    for (const k of p.keys) items.push({ block: keyBlock(k, p), continued });
    for (const d of p.owed) items.push({ block: context(owedLine(d)), continued });
  }
  const pages = paginate(items, LIMITS.viewBlocks - HOME_RESERVED);
  const index = Math.min(Math.max(0, page), pages.length - 1);
  const blocks: Block[] = [{ type: "header", text: { type: "plain_text", text: "apikey" } }];
  if (input.notice) blocks.push(section(fit(input.notice, LIMITS.sectionText)));
  blocks.push(...(pages[index] ?? []));
  if (pages.length > 1) blocks.push(divider(), ...pager(index, pages.length));
  if (input.audit && input.audit.length > 0) {
    // The ten latest entries fit one or two sections; `/apikey audit N` pages through more.
    const audit = auditBlocks(input.audit, "*Recent changes*").slice(0, 2);
    blocks.push(divider(), ...audit.map((i) => i.block));
  }
  blocks.push(context("Type `/apikey help` for the commands. Keys are always masked."));
  // The page shown, so that a click on it ("Use") publishes the same page again.
  return { type: "home", blocks, private_metadata: JSON.stringify({ v: "home", p: index }) };
}

function pager(index: number, pages: number): Block[] {
  const button = (label: string, p: number): types.Button => ({
    type: "button",
    action_id: HOME_PAGE_ACTION,
    text: { type: "plain_text", text: label },
    value: JSON.stringify({ v: "home", p }),
  });
  const buttons = [
    ...(index > 0 ? [button("◀ Previous", index - 1)] : []),
    ...(index + 1 < pages ? [button("Next ▶", index + 1)] : []),
  ];
  return [
    context(`Page ${index + 1} of ${pages} of your profiles and keys.`),
    // Two buttons with one action_id in one block: Slack wants them distinct, so each has its own block.
    ...buttons.map((b, n): Block => ({ type: "actions", block_id: `home_page_${n}`, elements: [b] })),
  ];
}

function keyBlock(k: KeyListItem, p: HomeProfile): Block {
  const lines = [
    `${k.active ? ":white_check_mark: " : ""}${bold(k.name)} \`${esc(k.masked)}\`${k.status === "active" ? "" : ` _${k.status}_`}`,
    k.budgetUsd !== null ? `${spendBar(k)} of ${formatUsd(k.budgetUsd)} this month` : null,
    k.rotationDue ? ":hourglass: due for rotation" : null,
  ].filter(Boolean);
  const value = JSON.stringify({ profile: p.name, name: k.name });
  const block: Block = { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } };
  if (p.access !== "operate" || k.status !== "active" || k.readOnly) return block;
  // A key core will not rotate (federated) gets no Rotate button; its masked form already says why.
  if (k.active && k.cannotRotate) return block;
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
