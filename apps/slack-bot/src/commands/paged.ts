import type { RespondArguments } from "@slack/bolt";
import type { PageRef } from "../payload.ts";
import type { Block } from "../render/blocks.ts";
import { type Item, messagePage } from "../render/paging.ts";

/** Page `page` of a long answer, with a "Show more" button naming the next page of the same list. */
export function paged(
  text: string,
  items: Item[],
  page: number,
  ref: (p: number) => PageRef,
  footer?: Block,
): RespondArguments {
  const { blocks } = messagePage(items, page, (p) => JSON.stringify(ref(p)), footer);
  return { response_type: "ephemeral", text, blocks };
}
