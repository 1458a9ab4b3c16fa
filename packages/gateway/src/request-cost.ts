import { boundFromBody, type RequestBound, worstCaseCost } from "@apikey/core";
import type { Endpoint } from "./endpoints.ts";

// What a request may cost at most, read from its body for a blocking budget (core's worst-case.ts has the bound
// and how a body is read for it).

/**
 * Whether a request may spend money, so a blocking budget must hold its worst case: a Message, and a new batch
 * (refused anyway where a budget applies, admission.ts). Token counts, model lists and batch reads cost nothing.
 * The endpoint is the allowlist's (endpoints.ts), matched on the normalised path, so no spelling of a path slips
 * past this.
 */
export function mayCost(endpoint: Endpoint): boolean {
  return endpoint.name === "messages" || endpoint.name === "batches.create";
}

/** USD: the worst case of a request with this body (null body: nothing was sent). */
export function requestWorstCase(body: Buffer | null): number {
  return worstCaseCost(requestBound(body));
}

export function requestBound(body: Buffer | null): RequestBound {
  return body && body.length > 0
    ? boundFromBody(body.toString("utf8"), body.length)
    : { model: null, maxTokens: null, bodyBytes: 0 };
}
