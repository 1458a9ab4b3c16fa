import type { ConnectionOptions } from "node:tls";
import { assertSafeBaseUrl } from "@apikey/core";
import type { Pool } from "undici";

// Where requests go, and the pool of kept-alive connections they go over: a TCP (and TLS) handshake per request
// would dwarf everything else the gateway does. undici's pool is used rather than node:http's client: its
// per-request cost is a fraction of http.request's, and its timers already know when we stopped reading.

export interface UpstreamTimeouts {
  /** TCP connect, plus the TLS handshake for https, of a new connection (a kept-alive one skips it). */
  connectMs: number;
  /**
   * How long the upstream may send nothing: first while we wait for its response headers once the request is
   * sent (a non-streamed answer sends nothing until it is complete, hence a long default), then between two
   * body chunks. A stream that keeps sending lives as long as it likes, and while the gateway itself stops
   * reading (a slow client, a usage commit) the silence is ours, so it does not count.
   */
  silenceMs: number;
}

export interface Upstream {
  pool: Pool;
  /** The Host header upstream expects. */
  host: string;
  /** The base URL's path, prefixed to every forwarded path. */
  prefix: string;
  timeouts: UpstreamTimeouts;
  /** Drops every connection, kept-alive or in use. */
  close(): Promise<void>;
}

export async function upstreamFor(
  baseUrl: string,
  allowInsecure: boolean,
  timeouts: UpstreamTimeouts,
  /** Extra TLS options (a test's own CA); the system's CAs otherwise. */
  tls: ConnectionOptions = {},
): Promise<Upstream> {
  assertSafeBaseUrl(baseUrl, allowInsecure);
  const url = new URL(baseUrl);
  // Loaded here, not at the top: undici is about 1 MB of JavaScript that only `apikey proxy` needs, and the CLI
  // bundles the gateway with every other command. Its CommonJS exports are the default export both under Node
  // and in the CLI's bundle (where the named ones are not).
  const { Pool } = (await import("undici")).default;
  const pool = new Pool(url.origin, {
    // No cap on connections: each open stream holds one for its whole life, and a cap would queue the next
    // stream behind the slowest (500 concurrent streams are tested). No pipelining: a request queued behind a
    // stream on the same connection would wait for the whole stream.
    connections: null,
    pipelining: 1,
    connect: { ...tls, timeout: timeouts.connectMs },
    headersTimeout: timeouts.silenceMs,
    bodyTimeout: timeouts.silenceMs,
  });
  return {
    pool,
    host: url.host,
    prefix: url.pathname.replace(/\/+$/, ""),
    timeouts,
    close: () => pool.destroy(),
  };
}
