import type { IncomingMessage, ServerResponse } from "node:http";
import {
  authenticate,
  authorize,
  blockingBudget,
  checkBatch,
  checkEndpointModels,
  type Grant,
  keyFor,
  readsBody,
} from "./admission.ts";
import { sendRefusal } from "./anthropic-error.ts";
import { presentedCredential } from "./auth.ts";
import { endpointFor } from "./endpoints.ts";
import type { ForwardContext, forward } from "./forward.ts";
import type { GatewayState } from "./gateway-state.ts";
import { requestHeadersForUpstream, withKey } from "./headers.ts";
import type { InFlight } from "./in-flight.ts";
import { type Refusal, refuse } from "./messages.ts";
import { forwardWithRemint } from "./minted-retry.ts";
import type { GatewaySettings } from "./options.ts";
import { mayCost, requestWorstCase } from "./request-cost.ts";
import { field, requestLine } from "./request-log.ts";
import { readBody } from "./request-models.ts";
import { checkRequestPath } from "./request-path.ts";

// One request through the gateway: the Host and path checks, admission (admission.ts: token, models, key, budgets),
// then the trip upstream (forward.ts) and one log line. Everything it uses is built once, at start.

export interface RequestContext extends GatewayState {
  settings: GatewaySettings;
  inFlight: InFlight;
  forward: ForwardContext;
  /** Set once listening: the Host values a request to this gateway can carry (null: not checked, see listen). */
  hostHeaders: Set<string> | null;
}

/** What forward() reports back: usage committed for a grant, warnings, and whether the gateway is closing. */
export function forwardContext(
  { upstream, warn }: GatewaySettings,
  { recorder, budgets }: GatewayState,
  inFlight: InFlight,
): ForwardContext {
  return {
    upstream,
    recorder,
    onRecorded: (grant: Grant, event: { costUsd: number | null }) => {
      // The actual cost replaces the worst case held for it, in one synchronous step.
      budgets.keys.add(grant.key.keyId, event.costUsd);
      budgets.tokens.add(grant.token.id, event.costUsd);
      grant.hold?.release();
    },
    onWarning: warn,
    closing: () => inFlight.closing,
  };
}

export async function handleRequest(
  ctx: RequestContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const { log } = ctx.settings;
  if (ctx.inFlight.closing) res.setHeader("connection", "close");
  // Before anything else: a web page that rebinds its own name to 127.0.0.1 sends its name as Host, and must not
  // even learn whether its guess at a token was right.
  if (ctx.hostHeaders !== null && !ctx.hostHeaders.has((req.headers.host ?? "").toLowerCase()))
    return refused(log, req, res, "-", refuse.wrongHost(), "unexpected Host header");
  const target = checkRequestPath(req.url ?? "/");
  if (!target.ok) {
    log(`${req.method} - ${target.status} refused path`);
    return sendRefusal(res, target);
  }
  const { path } = target;
  // Only endpoints the gateway can check and meter go upstream; the Admin API never does.
  const route = endpointFor(req.method ?? "", path);
  if (!route.ok) return refused(log, req, res, path, route.refusal, "endpoint not forwarded");
  const { endpoint } = route;
  const credential = presentedCredential(req.headers);
  await ctx.fresh.check();
  const auth = await authenticate(ctx.tokens, credential, ctx.settings.now().getTime());
  if (!auth.ok) return refused(log, req, res, path, auth.refusal, auth.reason);
  const token = auth.value;

  let body: Buffer | null = null;
  if (readsBody(token, endpoint)) {
    body = await readBody(req);
    if (body === null) return tooLarge(log, req, res, path);
  }
  const models = checkEndpointModels(token, endpoint, body);
  if (!models.ok) return refused(log, req, res, path, models.refusal, models.reason);

  const keyed = await keyFor(token.profile ?? ctx.settings.profile, ctx.keys);
  if (!keyed.ok) return refused(log, req, res, path, keyed.refusal, keyed.reason);
  const batch = checkBatch(endpoint, token, keyed.value);
  if (!batch.ok) return refused(log, req, res, path, batch.refusal, batch.reason);
  // A blocking budget holds each request's worst case while it is in flight, read from its body.
  const costs = blockingBudget(token, keyed.value) && mayCost(endpoint);
  if (costs && body === null) {
    body = await readBody(req);
    if (body === null) return tooLarge(log, req, res, path);
  }
  const granted = await authorize(token, keyed.value, ctx.budgets, costs ? requestWorstCase(body) : null);
  if (!granted.ok) return refused(log, req, res, path, granted.refusal, granted.reason);
  const grant = granted.value;

  const headers = withKey(
    requestHeadersForUpstream(req.headers, ctx.settings.upstream.host),
    grant.key,
    credential?.scheme,
  );

  ctx.inFlight.count++;
  let result: Awaited<ReturnType<typeof forward>>;
  try {
    // A federated key's minted token refused early is re-minted, and the request sent again when it can be.
    result = await forwardWithRemint({ req, res, headers, body, grant, target: target.target }, ctx.forward, {
      profile: token.profile ?? ctx.settings.profile,
      keys: ctx.keys,
      headersFor: (key) =>
        withKey(requestHeadersForUpstream(req.headers, ctx.settings.upstream.host), key, credential?.scheme),
    });
  } finally {
    ctx.inFlight.count--;
    // Ended without recorded usage (refused upstream, failed, cut, or its commit failed): nothing to settle
    // against, so the hold is simply given back. A no-op when the usage already settled it.
    grant.hold?.release();
  }
  const names = { key: grant.key.name, token: grant.token.name };
  log(requestLine(req.method, path, result.outcome, result.status, started, names, result.event));
  ctx.inFlight.settled();
}

function refused(
  log: (line: string) => void,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  refusal: Refusal,
  why: string,
): void {
  log(`${req.method} ${field(path)} ${refusal.status} ${why}`);
  sendRefusal(res, refusal);
}

function tooLarge(
  log: (line: string) => void,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): void {
  res.setHeader("connection", "close");
  refused(log, req, res, path, refuse.bodyTooLarge(32 << 20), "body too large to check");
}
