// The one reader of a PostgreSQL connection string, and the one way to show it. node-postgres takes a password in
// the user-info AND as `?password=` (which wins), reads `sslkey`/`sslcert`/`sslrootcert` as files (or people paste
// the contents there), and passes along parameters it does not know. So what is shown is built from the parts
// known to be harmless, never by deleting the parts known to be secret: a parameter outside SHOWN keeps its name
// and loses its value, whatever it is called or however it is spelled. A string that cannot be read is refused
// here with a coded error that names the faulty part and never quotes the string.
import { ApikeyError } from "@apikey/core/errors";

/** Parameters whose values say where and how to connect, never who with which secret. Case as node-postgres reads them. */
const SHOWN = new Set([
  "schema",
  "host",
  "port",
  "user",
  "db",
  "dbname",
  "sslmode",
  "sslnegotiation",
  "uselibpqcompat",
  "application_name",
  "fallback_application_name",
  "connect_timeout",
  "keepalives",
  "keepalives_idle",
  "target_session_attrs",
  "client_encoding",
  "encoding",
  "statement_timeout",
  "query_timeout",
  "lock_timeout",
  "idle_in_transaction_session_timeout",
]);
const HIDDEN = "***";
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const SCHEME = /^postgres(ql)?:\/\//i;
// `@/`: an empty host before the path, which node-postgres allows for a Unix socket given as ?host=/dir.
const DUMMY_HOST = "apikey-no-host.invalid";

export interface ConnectionString {
  /** What node-postgres gets: the string without apikey's own `schema` parameter. */
  url: string;
  schema: string | undefined;
  /** The string for messages and output: no password, no secret parameter's value. */
  location: string;
}

/** True for the strings this store opens (postgres:// or postgresql://). */
export function isPostgresUrl(value: string | undefined): value is string {
  return value !== undefined && SCHEME.test(value.trim());
}

/** True when `value` is written as a URL (scheme://…) rather than a file path. */
export function looksLikeUrl(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value.trim()) || /^postgres(ql)?:/i.test(value.trim());
}

type Problem = "scheme" | "percent_escape" | "port" | "host" | "syntax";

const PROBLEMS: Record<Problem, string> = {
  scheme: "it must start with postgres:// or postgresql://",
  percent_escape:
    "it holds a % that does not start a valid escape: write % itself as %25, and any @ : / ? # or space in the user name or password as %40 %3A %2F %3F %23 %20",
  port: "its port is not a number from 1 to 65535",
  host: "it names no host: give one (postgres://user@host:5432/db), or ?host=/directory for a Unix socket",
  syntax:
    "it is not a valid URL: percent-encode any @ : / ? # or space in the user name or password (%40 %3A %2F %3F %23 %20), and check the host and port",
};

function invalid(problem: Problem, label: string): ApikeyError {
  return new ApikeyError("E_USAGE", `${label} cannot be read: ${PROBLEMS[problem]}.`, {
    details: { reason: "database_url_invalid", problem },
  });
}

function decodes(part: string, decode: (s: string) => string): boolean {
  try {
    decode(part);
    return true;
  } catch {
    return false;
  }
}

/** Why WHATWG's parser refused `raw`, as far as it can be told without quoting it. */
function diagnose(raw: string): Problem {
  const afterScheme = raw.replace(SCHEME, "");
  const authority = afterScheme.split(/[/?#]/, 1)[0] ?? "";
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const port = hostPort.startsWith("[") ? hostPort.replace(/^\[[^\]]*\]/, "") : hostPort;
  const colon = port.indexOf(":");
  if (colon !== -1 && !/^\d{0,5}$/.test(port.slice(colon + 1))) return "port";
  if (colon !== -1 && Number(port.slice(colon + 1)) > 65535) return "port";
  return "syntax";
}

/**
 * Reads a postgres:// connection string: node-postgres's URL, apikey's `schema`, and the location to show.
 * `label` names the string in errors ("APIKEY_DATABASE_URL", "The copy's target"); the string itself never is.
 */
export function readConnectionString(raw: string, label = "The PostgreSQL URL"): ConnectionString {
  const text = raw.trim();
  if (!SCHEME.test(text)) throw invalid("scheme", label);
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) throw invalid("percent_escape", label);
  let parsed: URL;
  let noHost = false;
  try {
    parsed = new URL(text);
  } catch {
    try {
      parsed = new URL(text.replace("@/", `@${DUMMY_HOST}/`));
      noHost = true;
    } catch {
      throw invalid(diagnose(text), label);
    }
  }
  // node-postgres decodes these with decodeURIComponent/decodeURI, which throw on escapes that are not UTF-8.
  if (
    !decodes(parsed.username, decodeURIComponent) ||
    !decodes(parsed.password, decodeURIComponent) ||
    !decodes(parsed.pathname, decodeURI) ||
    // URLSearchParams would turn a bad escape into U+FFFD, silently changing a password: refuse it instead.
    !parsed.search
      .slice(1)
      .split(/[&=]/)
      .every((part) => decodes(part.replace(/\+/g, " "), decodeURIComponent))
  ) {
    throw invalid("percent_escape", label);
  }
  if (parsed.port !== "" && Number(parsed.port) < 1) throw invalid("port", label);
  const host = noHost ? "" : parsed.hostname;
  if (host === "" && !parsed.searchParams.get("host")) throw invalid("host", label);

  const schema = parsed.searchParams.get("schema") || undefined;
  const forDriver = new URL(parsed.href);
  if (forDriver.searchParams.has("schema")) forDriver.searchParams.delete("schema");
  forDriver.hash = "";
  const url = noHost ? forDriver.href.replace(`@${DUMMY_HOST}/`, "@/") : forDriver.href;
  return { url, schema, location: showParsed(parsed, host) };
}

/** A harmless value, escaped as in a URL; a path's slashes and colons left readable. */
const shownValue = (value: string) => encodeURIComponent(value).replace(/%2F/gi, "/").replace(/%3A/gi, ":");

/** The shown form of a parsed URL: scheme, user, host, port, database and the SHOWN parameters' values. */
function showParsed(parsed: URL, host: string): string {
  const user = parsed.username ? `${parsed.username}@` : "";
  const port = parsed.port ? `:${parsed.port}` : "";
  const params = [...parsed.searchParams].map(([name, value]) => {
    if (!PLAIN_NAME.test(name)) return `${HIDDEN}=${HIDDEN}`;
    return SHOWN.has(name) ? `${name}=${shownValue(value)}` : `${name}=${HIDDEN}`;
  });
  const query = params.length > 0 ? `?${params.join("&")}` : "";
  return `${parsed.protocol}//${user}${host}${port}${parsed.pathname}${query}`;
}

/**
 * Any string as it may be shown: a readable connection string without its secrets, or for one that cannot be
 * read, only its scheme. Never throws.
 */
export function redactConnectionString(raw: string): string {
  try {
    return readConnectionString(raw).location;
  } catch {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]{0,19}):/.exec(raw.trim())?.[1];
    return scheme ? `${scheme.toLowerCase()}://(unreadable URL, not shown)` : "(unreadable URL, not shown)";
  }
}
