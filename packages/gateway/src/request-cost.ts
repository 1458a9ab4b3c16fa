import { type RequestBound, worstCaseCost } from "@apikey/core/usage";

// What a request may cost at most, read from its body for a blocking budget (see core's worst-case.ts for the
// bound). A body we cannot read as one JSON object, or one naming `model` or `max_tokens` more than once (parsers
// disagree on which copy wins), is bounded as the dearest: an unknown model and the largest output.

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
  const bodyBytes = body?.length ?? 0;
  if (!body || bodyBytes === 0) return { model: null, maxTokens: null, bodyBytes };
  const text = body.toString("utf8");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { model: null, maxTokens: null, bodyBytes };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    return { model: null, maxTokens: null, bodyBytes };
  const fields = doc as Record<string, unknown>;
  const model = typeof fields.model === "string" && namedOnce(text, "model") ? fields.model : null;
  const maxTokens =
    typeof fields.max_tokens === "number" && namedOnce(text, "max_tokens") ? fields.max_tokens : null;
  return { model, maxTokens, bodyBytes };
}

// A key as JSON may spell it: each character plain or as a \u escape (any case of hex digits).
const keyPatterns = new Map<string, RegExp>();
function keyPattern(name: string): RegExp {
  let re = keyPatterns.get(name);
  if (!re) {
    const chars = [...name].map((c) => {
      const hex = c.charCodeAt(0).toString(16).padStart(4, "0");
      return `(?:${c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}|\\\\u${hex.replace(/[a-f]/g, (h) => `[${h}${h.toUpperCase()}]`)})`;
    });
    re = new RegExp(`"${chars.join("")}"\\s*:`, "g");
    keyPatterns.set(name, re);
  }
  return re;
}

/**
 * Whether the body names this key at most once anywhere (nested objects included: cheap, and a second copy
 * anywhere only makes the bound more cautious than it needs to be).
 */
function namedOnce(text: string, name: string): boolean {
  const re = keyPattern(name);
  re.lastIndex = 0;
  let count = 0;
  while (re.exec(text) !== null) if (++count > 1) return false;
  return true;
}
