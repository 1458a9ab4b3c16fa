import type { RespondArguments } from "@slack/bolt";
import { bold, context, section } from "./blocks.ts";

// The delete confirmation and its button's action id: rendered by the delete command, read back by the payload
// schema and the button listener (here, not in commands/run.ts, which payload.ts would then import in a cycle).

export const DELETE_ACTION = "apikey_delete";

export function confirmDelete(profile: string, name: string, masked: string): RespondArguments {
  return {
    response_type: "ephemeral",
    text: `Delete ${name}?`,
    blocks: [
      section(
        `Delete ${bold(name)} (\`${masked}\`) from ${bold(profile)}? The encrypted key is removed for good.`,
      ),
      {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: DELETE_ACTION,
            style: "danger",
            text: { type: "plain_text", text: "Delete…" },
            value: JSON.stringify({ profile, name }),
            confirm: {
              title: { type: "plain_text", text: "Delete this key?" },
              text: { type: "mrkdwn", text: `${bold(profile)}/${bold(name)} will be gone from the store.` },
              confirm: { type: "plain_text", text: "Delete" },
              deny: { type: "plain_text", text: "Keep it" },
              style: "danger",
            },
          },
        ],
      },
      context("Only you can see this."),
    ],
  };
}
