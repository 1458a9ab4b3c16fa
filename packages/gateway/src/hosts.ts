import { isIPv4 } from "node:net";

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  if (h.startsWith("::ffff:")) return isLoopbackHost(h.slice(7));
  return isIPv4(h) && h.startsWith("127.");
}

/**
 * The Host header values a request meant for a gateway listening on loopback `address`:`port` can carry: the
 * loopback names with the port (lower case; without it too on port 80). Anything else (a DNS-rebinding page sends
 * its own name) is not for us.
 */
export function allowedHostHeaders(address: string, port: number): Set<string> {
  const bound = address.includes(":") ? `[${address.toLowerCase()}]` : address;
  const names = new Set(["127.0.0.1", "localhost", "[::1]", bound]);
  const allowed = new Set<string>();
  for (const name of names) {
    allowed.add(`${name}:${port}`);
    if (port === 80) allowed.add(name);
  }
  return allowed;
}
