import { ApikeyError, ERROR_CODES } from "@apikey/core/errors";

// Secrets come from a hidden prompt on a terminal or from stdin when piped — never from argv.

export async function readSecret(prompt: string): Promise<string> {
  if (process.stdin.isTTY) return askHidden(prompt);
  return readStdin();
}

export async function askHidden(message: string): Promise<string> {
  const { default: password } = await import("@inquirer/password");
  try {
    // The prompt draws on stderr so stdout stays clean for scripts.
    return await password({ message, mask: "*" }, { output: process.stderr });
  } catch (cause) {
    throw new ApikeyError(ERROR_CODES.CANCELLED, "Cancelled.", { cause });
  }
}

export async function askNewPassphrase(): Promise<string> {
  const first = await askHidden("New passphrase for this store");
  const second = await askHidden("Repeat the passphrase");
  if (first !== second) {
    throw new ApikeyError(ERROR_CODES.USAGE, "The passphrases did not match.", {
      hint: "Run the command again.",
    });
  }
  return first;
}

/**
 * A new passphrase or master key: asked on a terminal, else read from stdin (one trailing newline dropped). With no
 * terminal and nothing on stdin, the person is told how to give one, not that an empty one is too short.
 */
export async function readNewSecret(
  askOnTerminal: () => Promise<string>,
  missing: { what: string; hint: string },
): Promise<string> {
  if (process.stdin.isTTY) return askOnTerminal();
  const text = (await readStdin()).replace(/\r?\n$/, "");
  if (text.trim() === "") {
    throw new ApikeyError(
      ERROR_CODES.USAGE,
      `No ${missing.what}: there is no terminal to ask on, and nothing came on stdin.`,
      { hint: missing.hint },
    );
  }
  return text;
}

export async function confirm(message: string): Promise<boolean> {
  const { default: ask } = await import("@inquirer/confirm");
  try {
    return await ask({ message, default: false }, { output: process.stderr });
  } catch (cause) {
    throw new ApikeyError(ERROR_CODES.CANCELLED, "Cancelled.", { cause });
  }
}

/** A key is about 110 characters, a passphrase or master key less: anything near this is not a secret. */
export const MAX_STDIN_BYTES = 64 * 1024;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    // Stop reading at once: 600 MB piped in by mistake must not be held in memory before being refused.
    if (size > MAX_STDIN_BYTES) {
      process.stdin.destroy();
      throw new ApikeyError(ERROR_CODES.USAGE, "The input on stdin is too large for a key or passphrase.", {
        hint: `Pipe only the secret (at most ${MAX_STDIN_BYTES / 1024} KiB).`,
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
