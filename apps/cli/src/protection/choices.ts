import type { KekProviderName } from "@apikey/core";

// What each way of protecting a new store means for the places that read a key with nobody at the keyboard
// (Claude Code's apiKeyHelper, scripts, servers), in the CLI's words. The one home of these texts: the question
// asked before a store is made, `apikey help protection`, the line printed when a key file was chosen without
// asking, and status's hint all come from here.

/** The ways a person may pick when a store is made; APIKEY_MASTER_KEY is set in the environment, not picked. */
export type Protection = Extract<KekProviderName, "keychain" | "passphrase" | "keyfile">;

export interface ProtectionChoice {
  kind: Protection;
  label: string;
  /** What it means for apiKeyHelper, scripts and servers; a line or two. */
  means: string;
}

const MEANS: Record<Protection, (keyFile: string) => string> = {
  keychain: () =>
    "your login keychain holds the master key. Claude Code's apiKeyHelper and scripts in your session work with " +
    "nothing to set; servers and containers usually have no keychain.",
  keyfile: (keyFile) =>
    `a random master key in ${keyFile} (0600). apiKeyHelper, scripts and servers work with nothing to set; ` +
    "it protects your keys only as well as that file's permissions.",
  passphrase: () =>
    "asked on every unlock. apiKeyHelper and scripts cannot answer a prompt (`apikey current </dev/null` fails): " +
    "give each one a master-key slot of its own (`apikey slot add NAME` prints a key for its APIKEY_MASTER_KEY).",
};

const LABELS: Record<Protection, string> = {
  keychain: "OS keychain",
  keyfile: "key file",
  passphrase: "passphrase",
};

/** The choices offered here, the default first: the keychain when one answers, else the key file. */
export function protectionChoices(keychain: boolean, keyFile: string): ProtectionChoice[] {
  const kinds: Protection[] = keychain ? ["keychain", "keyfile", "passphrase"] : ["keyfile", "passphrase"];
  return kinds.map((kind) => ({ kind, label: LABELS[kind], means: MEANS[kind](keyFile) }));
}

/** The question, on one short screen (80 columns). */
export function choiceScreen(choices: ProtectionChoice[]): string {
  return [
    "There is no store yet. How should it be protected? (`apikey rekey` changes it later.)",
    ...choices.map((c, i) =>
      wrap(`${i + 1}) ${c.label}${i === 0 ? " (default)" : ""}: ${c.means}`, "  ", "     "),
    ),
  ].join("\n");
}

/** Words wrapped at 80 columns, the first line after `first`, the others after `rest`. */
function wrap(text: string, first: string, rest: string, columns = 80): string {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(" ")) {
    const lead = lines.length === 0 ? first : rest;
    if (line.length > lead.length && line.length + 1 + word.length > columns) {
      lines.push(line);
      line = rest + word;
    } else {
      line += line.length > lead.length ? ` ${word}` : word;
    }
  }
  lines.push(line);
  return lines.join("\n");
}

export const CHOICE_PROMPT = (choices: ProtectionChoice[]): string =>
  `Protection [${choices.map((_, i) => i + 1).join("/")}, Enter = 1]: `;

/** The answer typed: empty for the default, a number, or a name ("passphrase", "key file", "keyfile"…); else null. */
export function pickProtection(answer: string, choices: ProtectionChoice[]): Protection | null {
  const text = answer
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "");
  if (text === "") return choices[0]?.kind ?? null;
  const byNumber = /^\d$/.test(text) ? choices[Number(text) - 1] : undefined;
  if (byNumber) return byNumber.kind;
  const byName = choices.find((c) => c.kind === text || c.label.replace(/\s+/g, "").toLowerCase() === text);
  return byName?.kind ?? null;
}

/** The one line a new store made with a key file prints on stderr: what was chosen, and how to change it. */
export const KEY_FILE_CREATED =
  "The new store is protected by a key file (master.key beside it, 0600): whoever can read that file can decrypt " +
  "your keys. For a passphrase instead: apikey rekey --to passphrase (apikey help protection compares the choices).";

/** Status's hint: one line, only for a weak protection; null otherwise. */
export function protectionHint(kind: KekProviderName | null): string | null {
  return kind === "keyfile"
    ? "the key file protects your keys only as well as its permissions; a passphrase: apikey rekey --to passphrase (see apikey help protection)"
    : null;
}

/** `apikey help protection`. */
export function protectionTopic(): string {
  const all = protectionChoices(true, "master.key beside the store");
  return [
    "How the store's master key is protected: chosen when the store is made (on a",
    "terminal apikey asks first).",
    "",
    ...all.map((c) => wrap(`${c.label}: ${c.means}`, "  ", "    ")),
    wrap(
      "APIKEY_MASTER_KEY: set in the environment before the store is made (base64 of 32 random bytes); " +
        "every process that opens the store needs it. The choice for servers, CI and the Slack bot.",
      "  ",
      "    ",
    ),
    "",
    wrap(
      "Without a terminal (and without APIKEY_MASTER_KEY or APIKEY_PASSPHRASE) a new store gets the OS " +
        "keychain when one answers, else a key file. Move a store with " +
        "`apikey rekey --to keychain|env|passphrase|keyfile`; give one more reader its own way in with " +
        "`apikey slot add` (see `apikey slot list`).",
      "",
      "",
    ),
  ].join("\n");
}
