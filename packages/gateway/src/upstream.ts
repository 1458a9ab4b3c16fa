import http from "node:http";
import https from "node:https";
import { assertSafeBaseUrl } from "@apikey/core";

// Where requests go, and the pool of kept-alive connections they go over: a TCP (and TLS) handshake per request
// would dwarf everything else the gateway does.

export interface Upstream {
  secure: boolean;
  request: typeof http.request;
  agent: http.Agent;
  /** The Host header upstream expects. */
  host: string;
  hostname: string;
  port: number;
  /** The base URL's path, prefixed to every forwarded path. */
  prefix: string;
  timeouts: { connectMs: number; silenceMs: number };
}

export function upstreamFor(
  baseUrl: string,
  allowInsecure: boolean,
  timeouts: { connectMs: number; silenceMs: number },
): Upstream {
  assertSafeBaseUrl(baseUrl, allowInsecure);
  const url = new URL(baseUrl);
  const secure = url.protocol === "https:";
  const transport = secure ? https : http;
  return {
    secure,
    request: transport.request as typeof http.request,
    // No cap on sockets in use: each open stream holds one for its whole life, and a cap would queue the next
    // stream behind the slowest (500 concurrent streams are tested). Idle ones kept for reuse are capped.
    agent: new transport.Agent({ keepAlive: true, maxFreeSockets: 256, scheduling: "lifo" }),
    host: url.host,
    hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port === "" ? (secure ? 443 : 80) : Number(url.port),
    prefix: url.pathname.replace(/\/+$/, ""),
    timeouts,
  };
}
