import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

// Which headers cross the gateway. Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, never the
// next.

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
]);

// The client's credential is replaced, never forwarded. Expect: 100-continue was answered by our own server
// already; the upstream gets the body outright (and undici refuses the header).
const CLIENT_ONLY = new Set(["x-api-key", "authorization", "expect"]);

function connectionListed(headers: IncomingHttpHeaders): Set<string> | null {
  const c = headers.connection;
  if (typeof c !== "string" || c === "" || c === "keep-alive" || c === "close") return null;
  return new Set(c.split(",").map((t) => t.trim().toLowerCase()));
}

export function requestHeadersForUpstream(headers: IncomingHttpHeaders, host: string): OutgoingHttpHeaders {
  const listed = connectionListed(headers);
  const out: OutgoingHttpHeaders = { host };
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || CLIENT_ONLY.has(name) || listed?.has(name)) continue;
    out[name] = headers[name];
  }
  return out;
}

export function responseHeadersForClient(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = connectionListed(headers);
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || listed?.has(name)) continue;
    out[name] = headers[name];
  }
  return out;
}

/** Puts the key on the upstream request: the client's scheme for API keys; OAuth access tokens only work as bearer. */
export function withKey(
  headers: OutgoingHttpHeaders,
  key: { kind: string; secret: string },
  scheme: string | undefined,
): OutgoingHttpHeaders {
  if (key.kind === "oauth" || scheme === "bearer") headers.authorization = `Bearer ${key.secret}`;
  else headers["x-api-key"] = key.secret;
  return headers;
}
