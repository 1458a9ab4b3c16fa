// How `apikey env` spells "set this variable" for each shell it offers. Every value goes inside the shell's
// literal (single-quoted) string form, with exactly the characters that can end such a string escaped, so nothing
// in a value — a provider's odd OAuth token included — can reach the shell as syntax.

export const SHELLS = ["sh", "fish", "powershell"] as const;
export type Shell = (typeof SHELLS)[number];

export const isShell = (value: string): value is Shell => (SHELLS as readonly string[]).includes(value);

/** sh, bash, zsh: nothing is special inside '…' except ', which cannot be escaped there: close, \', reopen. */
export function quoteSh(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** fish: inside '…' a backslash escapes ' and \ (and only those), so both must be escaped. */
export function quoteFish(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/**
 * PowerShell: inside '…' nothing is special except a single quote, and PowerShell counts U+2018–U+201B (‘ ’ ‚ ‛) as
 * single quotes too. A doubled quote character stands for one literal copy of the second, so doubling each keeps the
 * value byte for byte.
 */
export function quotePowerShell(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, "$&$&")}'`;
}

/** One line that sets `name` (a plain variable name, never user input) to `value` in `shell`. */
export function setVariableLine(shell: Shell, name: string, value: string): string {
  switch (shell) {
    case "sh":
      return `export ${name}=${quoteSh(value)}`;
    case "fish":
      return `set -gx ${name} ${quoteFish(value)}`;
    case "powershell":
      return `$env:${name} = ${quotePowerShell(value)}`;
  }
}
