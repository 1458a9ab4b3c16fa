import { boundFromBody, type RequestBound, worstCaseCost } from "@apikey/core/usage";

// What a request may cost at most, read from its body for a blocking budget (core's worst-case.ts has the bound
// and how a body is read for it).

/** Requests the API never charges for: they hold nothing. */
const FREE = new Set(["/v1/messages/count_tokens"]);

/** Whether a request may spend money, so a blocking budget must hold its worst case. */
export function mayCost(method: string | undefined, path: string): boolean {
  return method === "POST" && !FREE.has(canonicalPath(path));
}

/**
 * A checked path (request-path.ts) as the upstream will route it: each segment percent-decoded (as often as that
 * check allows) and lower-cased, so `%62atches` or `Batches` cannot slip past a comparison with `batches`.
 */
export function canonicalPath(path: string): string {
  return path
    .split("/")
    .map((segment) => {
      let s = segment;
      for (let i = 0; i < 3 && s.includes("%"); i++) {
        try {
          s = decodeURIComponent(s);
        } catch {
          break;
        }
      }
      return s;
    })
    .join("/")
    .toLowerCase();
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
