import { ApikeyError, ERROR_CODES, isLoopbackHost } from "@apikey/core";

// Which hosts count as loopback is core's one rule (core/src/validate/loopback-host.ts); the gateway only applies it.
export { isLoopbackHost };

/** Throws E_PROXY_UNSAFE_HOST for a listen address beyond this machine, unless remote clients are allowed. */
export function checkListenHost(host: string, allowRemote: boolean): void {
  if (isLoopbackHost(host) || allowRemote) return;
  throw new ApikeyError(
    ERROR_CODES.PROXY_UNSAFE_HOST,
    // The host is not repeated: it is whatever was typed.
    "Refusing to listen on a non-loopback address: only loopback addresses are allowed unless remote clients are allowed explicitly.",
    { details: { reason: "remote_not_allowed" } },
  );
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
