// The one rule for "only this machine answers at this host": used where a key may travel over plain http (the
// base URL, OAuth endpoints) and where the gateway may listen without --allow-remote. The host is read the way a
// URL parser reads it (lower case, IDNA, `127.1` and `0x7f.1` as 127.0.0.1, IPv6 compressed), which is also how
// the resolver reads a numeric address, so a spelling cannot make one caller say yes and another no.

/** Characters that make a host a URL fragment rather than a host: refused outright. */
const NOT_A_HOST = /[%/@#?\\\s]/;

/** The host as a URL parser writes it, without one trailing dot; null when it is not a host. */
function canonicalHost(host: string): string | null {
  let h = host.trim();
  if (h.length === 0 || NOT_A_HOST.test(h)) return null;
  // A bare IPv6 address (as server.address() and --host give it) is bracketed in a URL.
  if (h.includes(":") && !h.startsWith("[")) h = `[${h}]`;
  let url: URL;
  try {
    url = new URL(`http://${h}/`);
  } catch {
    return null;
  }
  if (url.port !== "" || url.username !== "" || url.password !== "" || url.pathname !== "/") return null;
  return url.hostname.replace(/\.$/, "");
}

/**
 * True for names and addresses only this machine answers: `localhost` and `*.localhost` (RFC 6761), 127.0.0.0/8,
 * ::1 and IPv4-mapped ::ffff:127.x — in any spelling a URL parser or the resolver accepts for them.
 */
export function isLoopbackHost(host: string): boolean {
  const h = canonicalHost(host);
  if (h === null) return false;
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h === "[::1]") return true;
  // The URL parser writes an IPv4-mapped address in hex: [::ffff:7f00:1] for 127.0.0.1.
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}\]$/.exec(h);
  if (mapped) return Number.parseInt(mapped[1] as string, 16) >> 8 === 127;
  // node:net is fetched here, not imported: importing it costs every CLI start a few milliseconds (issue 25).
  return process.getBuiltinModule("node:net").isIPv4(h) && h.startsWith("127.");
}
