import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { isOAuthTokenKind, type KeyKind, withOAuthBeta, workspaceHeader } from "@apikey/core";

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

/**
 * Puts the key on the upstream request: the client's scheme for API keys; an OAuth access token (an OAuth key's, or
 * one minted for a federated key) only as a bearer with the OAuth beta, merged with any beta the client sent, and with
 * its workspace when it is scoped to one.
 */
export function withKey(
  headers: OutgoingHttpHeaders,
  key: { kind: KeyKind; secret: string; workspace?: string | null },
  scheme: string | undefined,
): OutgoingHttpHeaders {
  const oauth = isOAuthTokenKind(key.kind);
  if (oauth || scheme === "bearer") headers.authorization = `Bearer ${key.secret}`;
  else headers["x-api-key"] = key.secret;
  if (oauth) {
    const sent = headers["anthropic-beta"];
    headers["anthropic-beta"] = withOAuthBeta(Array.isArray(sent) ? sent.join(",") : sent?.toString());
    // The key's workspace, over any the client sent: the token it goes with is scoped to it.
    Object.assign(headers, workspaceHeader(key));
  }
  return headers;
}
