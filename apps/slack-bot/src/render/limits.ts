// Slack's Block Kit limits, in one place. Slack refuses a message or view that exceeds any of them with
// `invalid_blocks` (the person would see only "Something went wrong"), so every renderer builds within these and
// pages what does not fit (paging.ts). The tests' stand-in of Slack keeps its own copy of these numbers
// (tests/fixtures/slack-block-limits.ts) so that a wrong number here fails a test instead of passing it.
//
// Where each number comes from (checked 2026-12):
// - 50 blocks per message, 100 per modal or Home tab: docs.slack.dev/reference/block-kit/blocks ("You can include
//   up to 50 blocks in each message, and 100 blocks in modals or Home tabs").
// - View fields: docs.slack.dev/reference/views/modal-views and …/home-tab-views (title, close and submit 24
//   characters; private_metadata 3,000; callback_id 255; blocks max 100).
// - Section: text 3,000 characters; fields at most 10, each 2,000; block_id 255
//   (api.slack.com/reference/block-kit/blocks#section).
// - Header: text 150 (docs.slack.dev/reference/block-kit/blocks/header-block).
// - Input: label and hint 2,000 (docs.slack.dev/reference/block-kit/blocks/input-block).
// - Context: at most 10 elements (api.slack.com/reference/block-kit/blocks#context).
// - Actions: at most 25 elements (Slack's Block Kit JSON schema, api.slack.com/json-schema/block-kit).
// - Button: text 75, value 2,000, action_id 255 (docs.slack.dev/reference/block-kit/block-elements/button-element).
// - Static select: at most 100 options; placeholder 150; option text 75 and value 150
//   (api.slack.com/reference/block-kit/block-elements#static_select, …/composition-objects#option).
// - plain_text_input: max_length at most 3,000; placeholder 150
//   (api.slack.com/reference/block-kit/block-elements#input).
// - Confirm dialog: title 100, text 300, confirm and deny 30 (…/composition-objects#confirm).
// - A message's blocks together: undocumented, Slack answers `msg_blocks_too_long` near 13,000 characters
//   (slackapi/bolt-js#2509), so a message page keeps its text under MESSAGE_TEXT_BUDGET.

export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  callbackId: 255,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  textInputMaxLength: 3000,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

/** The text of all blocks of one message page together, kept well under Slack's `msg_blocks_too_long`. */
export const MESSAGE_TEXT_BUDGET = 11_000;

/**
 * Cuts a text to at most `max` characters (UTF-16 units, which never undercount what Slack counts), ending with
 * "…" when it had to cut; never inside an escape such as `&amp;` or a surrogate pair. Renderers cut whole lines
 * where they can (paging.ts) and use this only for one line that alone is too long.
 */
export function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const amp = cut.lastIndexOf("&");
  if (amp >= 0 && !cut.slice(amp).includes(";")) cut = cut.slice(0, amp);
  return `${cut}…`;
}
