import type { types } from "@slack/bolt";

// Small Block Kit builders. Every text a person supplied (a key name, a profile) goes through `esc` first, so
// it cannot turn into a mention, a link or markup.

export type Block = types.KnownBlock;

export const plain = (text: string): types.PlainTextElement => ({ type: "plain_text", text, emoji: true });
export const md = (text: string): types.MrkdwnElement => ({ type: "mrkdwn", text });
export const section = (text: string): Block => ({ type: "section", text: md(text) });
export const context = (text: string): Block => ({ type: "context", elements: [md(text)] });
export const divider = (): Block => ({ type: "divider" });

/** Slack's three control characters, escaped as its docs ask. */
export function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Names inside *bold*: escaped, and with the markup characters that would end the bold removed. */
export const bold = (text: string): string => `*${esc(text).replace(/[*_~`]/g, "")}*`;
