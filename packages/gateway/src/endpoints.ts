import { type Refusal, refuse } from "./messages.ts";

// The endpoints the gateway forwards: only those whose requests it can check against a token's model list and
// whose cost it can meter or knows to be nil. Everything else, the Admin API (/v1/organizations/*) first of all,
// is refused before any key is chosen. Matching is on the path checkRequestPath normalised (dot segments and
// empty segments resolved), segment by segment and exactly: a fixed segment spelled any other way (`Messages`,
// `m%65ssages`) is not that endpoint, and an id is plain ASCII with no escapes, so what the gateway checked is
// what the upstream routes on.

/** Where a request names the models it uses, for tokens limited to some models. */
export type ModelSource =
  /** The JSON body's `model` (a Message, a token count). */
  | { from: "body" }
  /** Every `requests[].params.model` of the JSON body (a new message batch). */
  | { from: "batch" }
  /** The path names it (`GET /v1/models/{id}`). */
  | { from: "path"; model: string }
  /** Uses no model: a list, or a batch already created (its models were checked when it was). */
  | { from: "none" };

export interface Endpoint {
  /** A stable name for logs and tests. */
  name: string;
  models: ModelSource;
  /** A message batch: metered, or refused, by the batch rules. */
  batch: boolean;
}

export type EndpointVerdict = { ok: true; endpoint: Endpoint } | { ok: false; refusal: Refusal };

// Model and batch ids: what the API issues (claude-haiku-4-5-20251001, msgbatch_01…). No `%`: an escape would be
// decoded upstream into something this check never saw.
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,255}$/;

const NONE: ModelSource = { from: "none" };

function match(method: string, s: readonly string[]): Endpoint | null {
  const [a, b, c, d] = s;
  if (s.length === 1 && a === "messages" && method === "POST")
    return { name: "messages", models: { from: "body" }, batch: false };
  if (s.length === 2 && a === "messages" && b === "count_tokens" && method === "POST")
    return { name: "count_tokens", models: { from: "body" }, batch: false };
  if (s.length === 1 && a === "models" && method === "GET")
    return { name: "models.list", models: NONE, batch: false };
  if (s.length === 2 && a === "models" && method === "GET" && ID.test(b as string))
    return { name: "models.get", models: { from: "path", model: b as string }, batch: false };
  if (a !== "messages" || b !== "batches") return null;
  if (s.length === 2 && method === "POST")
    return { name: "batches.create", models: { from: "batch" }, batch: true };
  if (s.length === 2 && method === "GET") return { name: "batches.list", models: NONE, batch: true };
  if (!ID.test(c ?? "")) return null;
  if (s.length === 3 && method === "GET") return { name: "batches.get", models: NONE, batch: true };
  if (s.length === 3 && method === "DELETE") return { name: "batches.delete", models: NONE, batch: true };
  if (s.length === 4 && d === "results" && method === "GET")
    return { name: "batches.results", models: NONE, batch: true };
  if (s.length === 4 && d === "cancel" && method === "POST")
    return { name: "batches.cancel", models: NONE, batch: true };
  return null;
}

/** A segment as the most lenient server would read it: decoded (as often as it decodes) and case-folded. */
function loosely(segment: string): string {
  let s = segment;
  for (let i = 0; i < 3 && s.includes("%"); i++) {
    try {
      s = decodeURIComponent(s);
    } catch {
      break;
    }
  }
  return s.normalize("NFKC").toLowerCase();
}

/** Which endpoint `method path` is, for a path checkRequestPath returned (`/v1/…`, normalised). */
export function endpointFor(method: string, path: string): EndpointVerdict {
  const segments = path.split("/").slice(2);
  const endpoint = match(method, segments);
  if (endpoint) return { ok: true, endpoint };
  // Named apart only for the message: it is refused like any other path, but says why it never will be forwarded.
  if (segments[0] !== undefined && loosely(segments[0]).startsWith("organization"))
    return { ok: false, refusal: refuse.adminApi() };
  return { ok: false, refusal: refuse.notForwarded(method, path) };
}
