// Vendored from packages/core/src/escape-control.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Text that came from outside (a client, an upstream, a file) must not steer a terminal or fake a line of a log:
// control characters are shown escaped (`\x1b`, `\u009b`), never written raw. Every front and the gateway use
// this one definition of what counts.

// C0 controls, DEL, C1 controls, and the Unicode format characters that reorder or break lines on screen.
export const CONTROL_CHARACTERS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function escapeChar(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Every control character escaped: for one-line texts (log lines, messages, echoed values). */
export function escapeControl(text: string): string {
  return text.replace(CONTROL_CHARACTERS, escapeChar);
}
