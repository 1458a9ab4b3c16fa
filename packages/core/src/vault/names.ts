import { ApikeyError, ERROR_CODES } from "../errors.ts";

// Names end up in shell commands, Slack messages and file names: keep them plain.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkName(name: string, what: "key" | "profile" | "slot" | "token"): string {
  if (/^sk-ant-/.test(name)) {
    // Someone pasted a key where a name goes; argv is visible to other processes, so say so.
    throw new ApikeyError(
      ERROR_CODES.NAME_INVALID,
      `That ${what} name looks like a key. Never pass keys as arguments.`,
      {
        hint: "Give a name, then paste the key at the prompt or pipe it on stdin. Consider rotating the exposed key.",
      },
    );
  }
  // The name is not echoed: a bad name may be a mistyped secret.
  if (!NAME.test(name)) {
    throw new ApikeyError(ERROR_CODES.NAME_INVALID, `That is not a valid ${what} name.`, {
      hint: "Use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit.",
    });
  }
  if (what === "key" && name === "env") {
    throw new ApikeyError(
      ERROR_CODES.NAME_INVALID,
      `"env" is reserved for the ANTHROPIC_API_KEY environment key.`,
      {
        hint: "Pick another name.",
      },
    );
  }
  return name;
}
