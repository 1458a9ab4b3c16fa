import { CONTROL_CHARACTERS, escapeChar, escapeControl } from "@apikey/core";

// Text that came from outside (arguments, file paths, a provider's words) must not steer the terminal or fake a
// line of output: control characters are shown escaped (`\x1b`, `\u009b`), never written raw.

// What counts as a control character is core's one definition (the gateway's log uses it too).
const CONTROL = CONTROL_CHARACTERS;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const SGR = /\u001b\[[0-9;]*m/g;

/** Every control character escaped: for one-line texts (error messages, hints, warnings, echoed arguments). */
export { escapeControl };

/**
 * For a block of our own output: keeps line breaks and tabs, and colour codes when `keepColour` (we add them),
 * and escapes every other control character.
 */
export function escapeBlock(text: string, keepColour: boolean): string {
  const escapeLine = (part: string) =>
    part.replace(CONTROL, (c) => (c === "\n" || c === "\t" ? c : escapeChar(c)));
  if (!keepColour) return escapeLine(text);
  let out = "";
  let last = 0;
  for (const m of text.matchAll(SGR)) {
    out += escapeLine(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeLine(text.slice(last));
}

/**
 * A table cell: one line, so a line break or tab from outside (a model name, a file name) is escaped like any other
 * control character; colour codes stay for escapeBlock to keep or escape with the rest of the block.
 */
export function escapeCell(text: string): string {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(SGR)) {
    out += escapeControl(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeControl(text.slice(last));
}

/**
 * Every string of `outside` that holds a control character, shown escaped wherever it occurs in `text`: a line
 * break in a value is part of that value, not a line of ours. (Longest first, so a value holding another is whole.)
 */
export function escapeValuesIn(text: string, outside: Iterable<string>): string {
  const risky = [...new Set(outside)].filter((s) => s.length > 0 && new RegExp(CONTROL.source).test(s));
  risky.sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of risky) out = out.split(s).join(escapeControl(s));
  return out;
}
