import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { ActiveKey, ActiveKeys } from "./active-key.ts";
import { keyFor } from "./admission.ts";
import { sendRefusal } from "./anthropic-error.ts";
import { type Exchange, type ForwardContext, type ForwardOutcome, forward } from "./forward.ts";
import { refuse } from "./messages.ts";
import { MAX_CHECKED_BODY_BYTES, readBody } from "./request-models.ts";

// A federated key's minted token can be refused before it expires (revoked upstream, the rule changed): its cache
// does not know. On a 401 for such a token the gateway forgets it (and the profile's cached key), so the next
// request mints afresh; and when the request can be sent again — its body is in hand — it re-mints once and retries
// at once, so the client never sees the stale token's 401. A body is read into memory first for that (up to the
// gateway's checked-body limit); a retry that is refused again is answered with the API's own error.

export const HELD_UNAUTHORIZED = "unauthorized-held";

export interface Remint {
  profile: string;
  keys: ActiveKeys;
  /** The upstream headers for a (re-resolved) key. */
  headersFor(key: ActiveKey): OutgoingHttpHeaders;
}

export async function forwardWithRemint(
  x: Exchange,
  ctx: ForwardContext,
  r: Remint,
): Promise<ForwardOutcome> {
  if (x.grant.key.kind !== "federated") return forward(x, ctx);
  let body = x.body;
  if (body === null && hasBody(x.req)) {
    body = await readBody(x.req);
    if (body === null) {
      const refusal = refuse.bodyTooLarge(MAX_CHECKED_BODY_BYTES);
      x.res.setHeader("connection", "close");
      sendRefusal(x.res, refusal);
      return { outcome: "refused", status: refusal.status, event: null };
    }
  }
  const first = await forward({ ...x, body, holdUnauthorized: true }, ctx);
  if (first.status !== 401) return first;
  await r.keys.rejected(r.profile, x.grant.key.keyId);
  if (first.outcome !== HELD_UNAUTHORIZED) return first;
  const again = await keyFor(r.profile, r.keys);
  if (!again.ok) {
    sendRefusal(x.res, again.refusal);
    return { outcome: "refused", status: again.refusal.status, event: null };
  }
  const grant = { ...x.grant, key: again.value };
  const second = await forward({ ...x, body, grant, headers: r.headersFor(again.value) }, ctx);
  if (second.status === 401) await r.keys.rejected(r.profile, again.value.keyId);
  return second;
}

/** RFC 9112 §6.3: a request without Content-Length or Transfer-Encoding has no body. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}
