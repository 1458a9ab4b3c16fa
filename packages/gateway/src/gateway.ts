import http from "node:http";
import type { AddressInfo } from "node:net";
import { sendRefusal } from "./anthropic-error.ts";
import { listen } from "./bind-address.ts";
import { gatewayState } from "./gateway-state.ts";
import { forwardContext, handleRequest, type RequestContext } from "./handler.ts";
import { allowedHostHeaders, isLoopbackHost } from "./hosts.ts";
import { InFlight } from "./in-flight.ts";
import { refuse } from "./messages.ts";
import { type GatewayOptions, resolveOptions } from "./options.ts";

export { DEFAULT_GATEWAY_PORT, DEFAULT_UPSTREAM, type GatewayOptions } from "./options.ts";

export interface Gateway {
  url: string;
  host: string;
  port: number;
  /** The active key of the gateway's profile when it started; null: its requests fail until one is chosen. */
  activeKey: string | null;
  /** USD that requests in flight hold against blocking budgets: 0 once they have all ended (nothing leaks). */
  heldUsd(): number;
  /** Stops accepting, lets in-flight responses finish for up to `graceMs` (default 10 s), then closes the rest. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * Starts the local gateway. Throws E_PROXY_UNSAFE_HOST, E_PROXY_BIND, E_PROFILE_NOT_FOUND, E_USAGE (a plain-http
 * remote upstream) or the store's unlock errors before anything listens.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const settings = await resolveOptions(options);
  const state = await gatewayState(settings);
  const inFlight = new InFlight();
  const ctx: RequestContext = {
    ...state,
    settings,
    inFlight,
    forward: forwardContext(settings, state, inFlight),
    hostHeaders: null,
  };
  const server = http.createServer({ noDelay: true, keepAliveTimeout: 30_000 }, (req, res) => {
    handleRequest(ctx, req, res).catch((err: unknown) => {
      settings.warn(`error: ${err instanceof Error ? err.name : "unknown"}`);
      sendRefusal(res, refuse.internal());
    });
  });
  const address = await listenChecked(server, ctx);

  let closed: Promise<void> | null = null;
  return {
    url: `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`,
    host: address.address,
    port: address.port,
    activeKey: settings.activeKey,
    heldUsd: () => state.budgets.held.total(),
    close(closeOptions = {}) {
      closed ??= (async () => {
        await inFlight.stop(server, closeOptions.graceMs ?? 10_000);
        await state.recorder.close();
        await settings.upstream.close();
        state.keys.clear();
      })();
      return closed;
    },
  };
}

/** Listens where the settings say; on loopback, from then on only requests that name this gateway as Host pass. */
async function listenChecked(server: http.Server, ctx: RequestContext): Promise<AddressInfo> {
  await listen(server, ctx.settings.host, ctx.settings.port);
  const address = server.address() as AddressInfo;
  // Only on loopback: with allowRemote, clients reach the gateway by whatever name the machine has on their
  // network, and the tokens are the guard.
  if (isLoopbackHost(address.address)) ctx.hostHeaders = allowedHostHeaders(address.address, address.port);
  return address;
}
