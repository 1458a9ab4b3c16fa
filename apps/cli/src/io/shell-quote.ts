// How `apikey env` spells "set this variable" for each shell it offers. Every value goes inside the shell's
// literal (single-quoted) string form, with exactly the characters that can end such a string escaped, so nothing
// in a value — a provider's odd OAuth token included — can reach the shell as syntax.

export const SHELLS = ["sh", "fish", "powershell"] as const;
export type Shell = (typeof SHELLS)[number];

export const isShell = (value: string): value is Shell => (SHELLS as readonly string[]).includes(value);

/** Each shell apikey env writes for, by the names people give it: zsh, bash and the other POSIX shells take sh. */
const SHELL_NAMES: Record<string, Shell> = {
  sh: "sh",
  bash: "sh",
  zsh: "sh",
  dash: "sh",
  ksh: "sh",
  ash: "sh",
  fish: "fish",
  powershell: "powershell",
  pwsh: "powershell",
};

/** The shell for `--shell`: a name above in any case, or a path to one (`--shell "$SHELL"`); null for any other. */
export function parseShell(text: string): Shell | null {
  const name =
    text
      .trim()
      .split("/")
      .pop()
      ?.toLowerCase()
      .replace(/\.exe$/, "") ?? "";
  return Object.hasOwn(SHELL_NAMES, name) ? (SHELL_NAMES[name] ?? null) : null;
}

/** The names --shell takes, for help and errors. */
export const SHELL_CHOICES = Object.keys(SHELL_NAMES);

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

/** One line that removes `name` (a plain variable name, never user input) from `shell`'s environment, set or not. */
export function unsetVariableLine(shell: Shell, name: string): string {
  switch (shell) {
    case "sh":
      return `unset ${name}`;
    case "fish":
      return `set -e ${name}`;
    case "powershell":
      return `Remove-Item Env:${name} -ErrorAction SilentlyContinue`;
  }
}
