import { ERROR_CODES, isApikeyError } from "../../vendor/core/index.ts";
import { NODE_SQLITE_SINCE, RuntimeTooOldError } from "./runtime.ts";

// The one place errors become Raycast words. The core says what happened (code + message); this module says what to
// do here. Only ApikeyError messages are shown: they never hold a secret. Anything else is reported by name only,
// since a driver or network message could quote its input.

/** Raised by the data module when the store is missing or empty: the core has no code for "nothing here yet". */
export class StoreNotFoundError extends Error {
  override readonly name = "StoreNotFoundError";
  readonly directory: string;
  constructor(directory: string, empty: boolean) {
    super(empty ? `The apikey store in ${directory} has no keys yet.` : `No apikey store in ${directory}.`);
    this.directory = directory;
  }
}

export interface Hint {
  title: string;
  /** One sentence: what to do. */
  message: string;
  /** The one command that fixes it, when a terminal can. */
  command?: string;
}

export const SLOT_COMMAND = "apikey slot add raycast";

/** Errors that mean "this store cannot be opened from Raycast": the commands show an empty view for these. */
export function unavailableHint(err: unknown): Hint | null {
  if (err instanceof RuntimeTooOldError) {
    // No Raycast release number is published for "ships Node 22.5+", so say what to look for, and what this one has.
    return {
      title: "This version of Raycast is too old for API Key Switcher",
      message:
        `It needs a Raycast version whose Node is ${NODE_SQLITE_SINCE} or newer (this one runs Node ` +
        `${err.nodeVersion}). Update Raycast (Check for Updates), then open the command again.`,
    };
  }
  if (err instanceof StoreNotFoundError) {
    return {
      title: err.message,
      message: "Add your first key in a terminal, or set Store Directory in the extension's preferences.",
      command: "apikey add NAME",
    };
  }
  if (!isApikeyError(err)) return null;
  switch (err.code) {
    case ERROR_CODES.KEYCHAIN_UNAVAILABLE:
    case ERROR_CODES.MASTER_KEY_MISSING: {
      // The core names the kinds of master key the store has; say which one Raycast cannot use.
      const slots = (err.details as { slots?: string[] }).slots ?? [];
      const title =
        err.code === ERROR_CODES.KEYCHAIN_UNAVAILABLE || (slots.length > 0 && slots.every((s) => s === "keychain"))
          ? "This store is locked by the OS keychain, which Raycast cannot read"
          : slots.length > 0 && slots.every((s) => s === "passphrase")
            ? "This store is locked by a passphrase, which Raycast cannot ask for"
            : "This store needs a master key";
      return {
        title,
        message: "Make a master-key slot for Raycast and paste the key it prints into the Master Key preference.",
        command: SLOT_COMMAND,
      };
    }
    case ERROR_CODES.MASTER_KEY_FORMAT:
      return {
        title: "The Master Key preference is not a master key",
        message: "Paste the whole device key (base64 of 32 bytes) that the slot command printed.",
        command: SLOT_COMMAND,
      };
    case ERROR_CODES.WRONG_MASTER_KEY:
      return {
        title: "The Master Key preference does not open this store",
        message: "Make a new slot for Raycast and paste its device key into the Master Key preference.",
        command: SLOT_COMMAND,
      };
    case ERROR_CODES.STORE_TOO_NEW:
      return {
        title: "This store was written by a newer apikey",
        message: "Update the extension, then open the command again.",
      };
    case ERROR_CODES.STORE_CORRUPT:
      return { title: "The store file is damaged", message: "Check it in a terminal.", command: "apikey status" };
    case ERROR_CODES.NOT_A_STORE:
      return {
        title: "That is not an apikey store",
        message: "Check the Data Directory preference; apikey left the file untouched.",
        command: "apikey status",
      };
    case ERROR_CODES.STORE_UNSAFE:
      return {
        title: "The store is writable by other users",
        message: "apikey refuses it until its permissions are fixed; run this in a terminal to see how.",
        command: "apikey status",
      };
    case ERROR_CODES.NO_STORE:
      return { title: "No apikey store yet", message: "Add a key in a terminal first.", command: "apikey add NAME" };
    default:
      return null;
  }
}

/** For a toast after a failed action. */
export function errorHint(err: unknown): Hint {
  const unavailable = unavailableHint(err);
  if (unavailable) return unavailable;
  if (!isApikeyError(err)) {
    const name = err instanceof Error ? err.name : "Error";
    return {
      title: "Something went wrong",
      message: `${name}: run the command again; if it repeats, check \`apikey status\`.`,
    };
  }
  const title = err.message;
  switch (err.code) {
    case ERROR_CODES.KEY_INVALID:
      return { title, message: "Nothing was stored. Check you copied the whole key." };
    case ERROR_CODES.KEY_FORMAT:
    case ERROR_CODES.KEY_EMPTY:
      return { title, message: "Paste the whole key, starting with sk-ant-." };
    case ERROR_CODES.KEY_DUPLICATE:
      return { title, message: "Switch to that key in Switch API Key instead." };
    case ERROR_CODES.NAME_TAKEN:
      return { title, message: "Pick another name, or rename the existing key first." };
    case ERROR_CODES.KEY_DISABLED:
      return { title, message: "Enable it first (Enable Key in the action panel)." };
    case ERROR_CODES.KEY_NOT_FOUND:
      return { title, message: "It was changed elsewhere; reopen Switch API Key." };
    case ERROR_CODES.NO_ACTIVE_KEY:
      return { title, message: "Pick one with Use This Key in Switch API Key." };
    case ERROR_CODES.PROFILE_EXISTS:
      return { title, message: "Choose it from the Profile list instead." };
    case ERROR_CODES.PROFILE_NOT_FOUND:
      return { title, message: "Choose New Profile… to create it." };
    case ERROR_CODES.STORE_BUSY:
      return { title, message: "Another apikey is writing; try again in a moment." };
    case ERROR_CODES.STORE_READONLY:
      return { title, message: "The store file is read-only; check its permissions." };
    case ERROR_CODES.VALIDATION_FAILED:
      return { title, message: "Anthropic could not be reached; try again later." };
    default:
      return { title, message: "See `apikey status` in a terminal for details." };
  }
}
