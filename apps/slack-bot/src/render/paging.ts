import type { types } from "@slack/bolt";
import { type Block, context } from "./blocks.ts";
import { fit, LIMITS, MESSAGE_TEXT_BUDGET } from "./limits.ts";

// Long content in pages that each fit Slack's limits (limits.ts), so nothing is cut off and nothing is lost: a
// message ends with a "Show more" button that posts the next page; the Home tab gets "Previous"/"Next" buttons.
// Renderers hand in whole lines or whole blocks; a page break falls between them, never inside one.

/** The button under a message page that posts the next one. Its value says which list and which page. */
export const MORE_ACTION = "apikey_more";

/** One block of content; `continued` is repeated at the top of a page this block opens (its group's heading). */
export interface Item {
  block: Block;
  continued?: Block;
}

/** A rough size of a block's text, for the per-message budget. */
const weight = (block: Block): number => JSON.stringify(block).length;

/**
 * Lines under a heading as sections of at most Slack's section text each. A heading is repeated, marked
 * "(continued)", on each further section, so every section says what it lists.
 */
export function sections(heading: string, lines: string[]): Item[] {
  const max = LIMITS.sectionText;
  const more = `${heading} _(continued)_`;
  const room = max - more.length - 1;
  const out: Item[] = [];
  let current: string[] = [];
  let size = 0;
  const flush = () => {
    const head = out.length === 0 ? heading : more;
    out.push({ block: { type: "section", text: { type: "mrkdwn", text: [head, ...current].join("\n") } } });
    current = [];
    size = 0;
  };
  for (const raw of lines) {
    const line = fit(raw, room);
    if (current.length > 0 && size + line.length + 1 > room) flush();
    current.push(line);
    size += line.length + 1;
  }
  if (current.length > 0 || out.length === 0) flush();
  return out;
}

/** Splits items into pages of at most `maxBlocks` blocks and `textBudget` characters of JSON. */
export function paginate(items: Item[], maxBlocks: number, textBudget = Number.POSITIVE_INFINITY): Block[][] {
  const pages: Block[][] = [];
  let page: Block[] = [];
  let size = 0;
  for (const item of items) {
    const w = weight(item.block);
    if (page.length > 0 && (page.length + 1 > maxBlocks || size + w > textBudget)) {
      pages.push(page);
      page = [];
      size = 0;
    }
    if (page.length === 0 && item.continued) {
      page.push(item.continued);
      size += weight(item.continued);
    }
    page.push(item.block);
    size += w;
  }
  if (page.length > 0 || pages.length === 0) pages.push(page);
  return pages;
}

/** Blocks a message page keeps free for its own lines: the footer, "page i of n", and the "Show more" button. */
const MESSAGE_RESERVED = 3;

export interface MessagePage {
  blocks: Block[];
  page: number;
  pages: number;
}

/**
 * Page `page` (0-based, clamped) of a message listing `items`, then `footer` and, when more follows, a "Show more"
 * button whose value `valueFor(next)` names the next page.
 */
export function messagePage(
  items: Item[],
  page: number,
  valueFor: (next: number) => string,
  footer?: Block,
): MessagePage {
  const reserved = footer ? MESSAGE_RESERVED : MESSAGE_RESERVED - 1;
  const pages = paginate(items, LIMITS.messageBlocks - reserved, MESSAGE_TEXT_BUDGET);
  const index = Math.min(Math.max(0, page), pages.length - 1);
  const blocks = [...(pages[index] ?? [])];
  if (footer) blocks.push(footer);
  if (pages.length > 1) {
    blocks.push(context(`Page ${index + 1} of ${pages.length}.`));
    if (index + 1 < pages.length) blocks.push(moreButton(index + 1, pages.length, valueFor(index + 1)));
  }
  return { blocks, page: index, pages: pages.length };
}

function moreButton(next: number, pages: number, value: string): Block {
  const button: types.Button = {
    type: "button",
    action_id: MORE_ACTION,
    text: { type: "plain_text", text: `Show more (page ${next + 1} of ${pages})` },
    value,
  };
  return { type: "actions", elements: [button] };
}
