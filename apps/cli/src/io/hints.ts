import { type ApikeyError, ERROR_CODES } from "@apikey/core/errors";

// What to do next, in the CLI's words: commands and flags. The core says what happened (code, message, details);
// this is the one place that turns that into a command line. Other fronts have their own hint modules.

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const flag = (profile: string | undefined) =>
  profile && profile !== "default" ? ` --profile ${profile}` : "";

export function cliHint(e: ApikeyError): string | undefined {
  return FEDERATION_CODES.has(e.code) ? federationHint(e) : generalHint(e);
}

const FEDERATION_CODES = new Set<string>([
  ERROR_CODES.FEDERATION_CONFIG,
  ERROR_CODES.FEDERATION_REJECTED,
  ERROR_CODES.FEDERATED_KEY,
]);

function generalHint(e: ApikeyError): string | undefined {
  const d = e.details;
  const key = str(d.key);
  const profile = str(d.profile);
  const provider = str(d.provider);
  switch (e.code) {
    case ERROR_CODES.KEY_NOT_FOUND:
      return `See your keys with \`apikey${flag(profile)} list\`.`;
    case ERROR_CODES.PROFILE_NOT_FOUND:
      return profile
        ? `Create it with \`apikey profile create ${profile}\`, or see \`apikey profile list\`.`
        : "See `apikey profile list`.";
    case ERROR_CODES.PROFILE_EXISTS:
      return "Pick another name, or use it with --profile.";
    case ERROR_CODES.PROFILE_IN_USE:
      return `Delete them first (apikey --profile ${profile ?? "NAME"} delete KEY).`;
    case ERROR_CODES.KEY_DUPLICATE:
      return key ? `Use it with \`apikey${flag(profile)} use ${key}\`.` : e.hint;
    case ERROR_CODES.KEY_DISABLED:
      return d.status === "disabled" && key
        ? `Enable it with \`apikey${flag(profile)} enable ${key}\`, or pick another with \`apikey use NAME\`.`
        : "Use its successor instead (see `apikey list`).";
    case ERROR_CODES.NO_ACTIVE_KEY:
      if (d.reason === "no_store") return "Add a key with `apikey add NAME`.";
      return d.envKeyPresent
        ? "ANTHROPIC_API_KEY is set here: import it with `apikey add NAME --from-env`, or `apikey use NAME`."
        : "Add one with `apikey add NAME`, or pick one with `apikey use NAME`.";
    case ERROR_CODES.KEY_FORMAT:
      return 'Paste the key at the prompt, or pipe it on stdin: printf %s "$KEY" | apikey add NAME';
    case ERROR_CODES.MASTER_KEY_MISSING:
      return masterKeyHint(d.slots);
    case ERROR_CODES.WRONG_MASTER_KEY:
      return "Check APIKEY_MASTER_KEY / APIKEY_PASSPHRASE (or the key file / keychain entry this store uses); `apikey slot list` shows which master keys open it.";
    case ERROR_CODES.LAST_SLOT:
      return "Add another first with `apikey slot add`, then remove this one.";
    case ERROR_CODES.SLOT_NOT_FOUND:
      return "See `apikey slot list`.";
    case ERROR_CODES.STORE_CORRUPT:
    case ERROR_CODES.NO_STORE:
    case ERROR_CODES.NOT_A_STORE:
    case ERROR_CODES.STORE_UNSAFE:
      return storeHint(e);
    case ERROR_CODES.BUDGET_EXCEEDED:
      return key
        ? `Raise it with \`apikey budget set ${key} AMOUNT --block\`, or \`apikey budget clear ${key}\`.`
        : e.hint;
    case ERROR_CODES.OAUTH_REFRESH_FAILED:
      return `Log in again with \`apikey login ${provider ?? "PROVIDER"} --name ${key ?? "NAME"}\`.`;
    case ERROR_CODES.OAUTH_DENIED:
    case ERROR_CODES.OAUTH_STATE:
    case ERROR_CODES.OAUTH_CODE:
      return d.reason === "loopback_timeout"
        ? "Run `apikey login` again (or use --paste when the browser runs on another machine)."
        : "Run `apikey login` again and complete it promptly.";
    case ERROR_CODES.OAUTH_PROVIDER_NOT_FOUND:
      return "See `apikey oauth provider list`; add one with `apikey oauth provider add`.";
    case ERROR_CODES.OAUTH_CONFIG:
      if (d.reason === "provider_exists" && provider)
        return `Remove it first with \`apikey oauth provider remove ${provider}\`.`;
      if (d.reason === "provider_endpoints")
        return "Give either --issuer, or both --authorization-endpoint and --token-endpoint.";
      return e.hint;
    case ERROR_CODES.BUNDLE_FORMAT:
      return "Give a file written by `apikey export`, or use --from opencode|dotenv|env for other tools' files.";
    case ERROR_CODES.IMPORT_SOURCE:
      return d.source === "opencode"
        ? "Give the path of opencode's auth.json: apikey import --from opencode FILE."
        : e.hint;
    case ERROR_CODES.PROXY_UNSAFE_HOST:
      return "Anyone who can reach that address could spend your keys with a token. If you mean it, add --allow-remote (clients still need a gateway token).";
    case ERROR_CODES.PROXY_BIND:
      if (d.reason === "port_in_use")
        return "Stop the other program (another `apikey proxy`?), or pick another port with --port (0 = any free port).";
      if (d.reason === "privileged_port")
        return "Ports below 1024 need privileges; pick one above with --port.";
      return "Check --host and --port.";
    default:
      return e.hint;
  }
}

function masterKeyHint(slots: unknown): string {
  const kinds = Array.isArray(slots) ? slots : [];
  const ways: string[] = [];
  if (kinds.includes("env")) ways.push("APIKEY_MASTER_KEY");
  if (kinds.includes("passphrase")) ways.push("APIKEY_PASSPHRASE (or run in a terminal to be asked)");
  if (kinds.includes("keychain")) ways.push("the OS keychain (unlock it, or start your Secret Service)");
  if (kinds.includes("keyfile")) ways.push("the key file master.key beside the store");
  if (ways.length === 0) return "Set APIKEY_MASTER_KEY or APIKEY_PASSPHRASE.";
  // Only a passphrase opens it: whatever runs without a terminal (apiKeyHelper, scripts) needs a slot of its own.
  const unattended = kinds.every((k) => k === "passphrase")
    ? " Claude Code's apiKeyHelper and scripts cannot be asked: give them a master-key slot (`apikey slot add NAME` on a terminal prints a key for their APIKEY_MASTER_KEY)."
    : "";
  return `This store opens with: ${ways.join("; ")}.${unattended}`;
}

/** What to do about the store itself: damaged, missing, someone else's, or unsafe to open. */
function storeHint(e: ApikeyError): string | undefined {
  const d = e.details;
  switch (e.code) {
    case ERROR_CODES.STORE_CORRUPT:
      if (d.reason === "no_slots")
        return "Add nothing to it: restore the store from a backup, or `apikey import` an `apikey export` bundle into a new APIKEY_HOME.";
      return d.reason === "empty_database"
        ? `Move ${str(d.path) ?? "the database"} aside and restore it from a backup (or an \`apikey export\` bundle).`
        : e.hint;
    case ERROR_CODES.NO_STORE:
      return "Create it by adding a key: `apikey add NAME` (or `apikey import FILE`). Set APIKEY_HOME (or APIKEY_DATABASE_URL) if your store is elsewhere.";
    case ERROR_CODES.NOT_A_STORE:
      // A PostgreSQL schema that holds someone else's tables: the core's hint names the fix (?schema=…).
      if (d.location !== undefined) return e.hint;
      return `Set APIKEY_HOME to the directory of your apikey store, or move ${str(d.path) ?? "that file"} aside if it is not needed.`;
    case ERROR_CODES.STORE_UNSAFE:
      return `If you trust what is there, fix it with \`${str(d.fix) ?? "chmod 700 DIR"}\` and retry; otherwise move it aside and restore from a backup.`;
    default:
      return e.hint;
  }
}

/** Federated keys (issue 26): the flags of `add --federated`, and what to do instead of rotating. */
function federationHint(e: ApikeyError): string | undefined {
  const d = e.details;
  const key = str(d.key);
  const profile = str(d.profile);
  switch (e.code) {
    case ERROR_CODES.FEDERATION_CONFIG:
      return d.setting === "identity-token" ||
        d.setting === "identity-token-file" ||
        d.setting === "identity-token-env"
        ? "Give exactly one of --identity-token-file PATH and --identity-token-env NAME."
        : `Check --${str(d.setting) ?? "rule"}: apikey add NAME --federated --rule fdrl_… --org ORG --identity-token-file PATH.`;
    case ERROR_CODES.FEDERATION_REJECTED:
      return d.status === 401 && e.hint?.includes("workspace")
        ? `${e.hint} (With the CLI: add the key again with --workspace wrkspc_… or --workspace default.)`
        : e.hint;
    case ERROR_CODES.FEDERATED_KEY:
      if (d.reason === "source_unsupported")
        return "Run the program with `apikey exec -- PROGRAM` (it renews the identity token for the SDK), or use the gateway (`apikey proxy`).";
      return key
        ? `Its tokens are minted on use. To change its rule or identity token: apikey${flag(profile)} delete ${key}, then apikey add ${key} --federated ….`
        : e.hint;
    default:
      return e.hint;
  }
}
