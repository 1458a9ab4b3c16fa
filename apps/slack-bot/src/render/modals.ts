import type { types } from "@slack/bolt";
import { type Block, bold, context, esc, plain, section } from "./blocks.ts";
import { fit, LIMITS } from "./limits.ts";

// The add and rotate forms, and what they turn into while and after the bot works. Block Kit has no masked input:
// the key field's hint says so, and the key is never put back into a view, never into private_metadata.

export const ADD_CALLBACK = "apikey_add";
export const ROTATE_CALLBACK = "apikey_rotate";

export const GRACE_CHOICES = [
  { value: "0", label: "Now" },
  { value: "900000", label: "15 minutes" },
  { value: "3600000", label: "1 hour" },
  { value: "86400000", label: "24 hours" },
] as const;
export const DEFAULT_GRACE = "900000";

const KEY_HINT =
  "Slack has no hidden field: the key travels through Slack to the bot, which stores it encrypted. " +
  "It is never posted or shown again. Paste it only here, never into a message.";

const keyInput = (blockId: "key" | "new_key", label: string): Block => ({
  type: "input",
  block_id: blockId,
  label: plain(label),
  hint: plain(KEY_HINT),
  element: {
    type: "plain_text_input",
    action_id: "value",
    placeholder: plain("sk-ant-api03-…"),
    max_length: 300,
  },
});

const modal = (
  callbackId: string,
  title: string,
  blocks: Block[],
  metadata: string,
  submit?: string,
): types.ModalView => ({
  type: "modal",
  callback_id: callbackId,
  title: plain(fit(title, LIMITS.viewTitle)),
  close: plain(submit ? "Cancel" : "Close"),
  ...(submit ? { submit: plain(submit) } : {}),
  private_metadata: metadata,
  blocks,
});

export interface AddFormInput {
  profile: string;
  /** Shown above the key field after a failed attempt (the key itself is never kept). */
  error?: string;
  name?: string;
}

export function addModal(input: AddFormInput, metadata: string): types.ModalView {
  const blocks: Block[] = [
    {
      type: "input",
      block_id: "name",
      label: plain("Name"),
      hint: plain("Letters, digits, dot, dash and underscore, e.g. work-2"),
      element: {
        type: "plain_text_input",
        action_id: "value",
        max_length: 64,
        ...(input.name ? { initial_value: input.name } : {}),
      },
    },
    {
      type: "input",
      block_id: "profile",
      label: plain("Profile"),
      element: { type: "plain_text_input", action_id: "value", initial_value: input.profile, max_length: 64 },
    },
  ];
  if (input.error) blocks.push(section(`:warning: ${input.error}`));
  blocks.push(keyInput("key", "Anthropic API key"));
  return modal(ADD_CALLBACK, "Add a key", blocks, metadata, "Add");
}

export interface RotateFormInput {
  profile: string;
  name: string;
  masked: string;
  /** Only when the profile holds an Admin key can the bot deactivate the old key at Anthropic. */
  canDeactivate: boolean;
  /** Not an API key (an Admin key, an OAuth token): a rotation owes nothing upstream. */
  nothingUpstream?: boolean;
  error?: string;
}

export function rotateModal(input: RotateFormInput, metadata: string): types.ModalView {
  const blocks: Block[] = [
    section(
      `Replace ${bold(input.name)} (\`${esc(input.masked)}\`) in profile ${bold(input.profile)} with a new key.`,
    ),
  ];
  if (input.error) blocks.push(section(`:warning: ${input.error}`));
  blocks.push(keyInput("new_key", "New key"), {
    type: "input",
    block_id: "grace",
    label: plain("Old key keeps working for"),
    element: {
      type: "static_select",
      action_id: "value",
      initial_option: option(DEFAULT_GRACE),
      options: GRACE_CHOICES.map((c) => option(c.value)),
    },
  });
  // Offered only when the profile holds an Admin key: without one the old key can only be switched off in the Console.
  if (input.canDeactivate) {
    blocks.push({
      type: "input",
      block_id: "upstream",
      label: plain("At Anthropic, after the grace period"),
      element: {
        type: "static_select",
        action_id: "value",
        initial_option: { text: plain("Deactivate the old key"), value: "deactivate" },
        options: [
          { text: plain("Deactivate the old key"), value: "deactivate" },
          { text: plain("Leave it active (I will do it)"), value: "keep" },
        ],
      },
    });
  } else if (input.nothingUpstream) {
    blocks.push(
      context("Only API keys are deactivated at Anthropic by a rotation: this one stays as it is there."),
    );
  } else {
    blocks.push(
      context(
        "This profile has no Admin key, so the old key cannot be deactivated from here: do it in the Anthropic Console after the grace period.",
      ),
    );
  }
  return modal(ROTATE_CALLBACK, "Rotate a key", blocks, metadata, "Rotate");
}

function option(value: string) {
  const choice = GRACE_CHOICES.find((c) => c.value === value) ?? GRACE_CHOICES[1];
  return { text: plain(choice.label), value: choice.value };
}

/** Shown at once on submission, while the key is checked (it can take ten seconds). */
export function workingModal(title: string, text: string): types.ModalView {
  return modal(
    "apikey_working",
    title,
    [section(fit(`:hourglass_flowing_sand: ${text}`, LIMITS.sectionText))],
    "",
  );
}

export function outcomeModal(title: string, lines: string[]): types.ModalView {
  // Lines come from errors and outcomes of any length: each is cut to a section's limit, and no more than a
  // view's blocks are shown (an outcome has a handful).
  return modal(
    "apikey_outcome",
    title,
    lines.slice(0, LIMITS.viewBlocks).map((l) => section(fit(l, LIMITS.sectionText))),
    "",
  );
}
