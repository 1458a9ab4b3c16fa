// Which request targets the gateway forwards. The upstream receives the real key, so a path must mean the same
// thing to us as to every server between here and the API: dot segments are resolved here (RFC 3986 §5.2.4) and
// the result must stay under /v1/; anything whose meaning differs between servers (an encoded slash, backslash or
// dot segment, a malformed escape) is refused outright instead of being guessed at.

export type PathVerdict =
  | { ok: true; path: string; target: string }
  | { ok: false; status: 400 | 404; type: "invalid_request_error" | "not_found_error"; message: string };

const OUTSIDE: PathVerdict = {
  ok: false,
  status: 404,
  type: "not_found_error",
  message: "The apikey gateway forwards /v1/* paths only.",
};

const AMBIGUOUS: PathVerdict = {
  ok: false,
  status: 400,
  type: "invalid_request_error",
  message:
    "apikey gateway: the request path holds an encoded or backslash path separator or dot segment; it is not forwarded.",
};

// Decoding more than once catches double-encoded forms (%252e) that a server decoding twice would turn into dots.
const MAX_DECODES = 3;

function decoded(segment: string): string | null {
  let s = segment;
  for (let i = 0; i < MAX_DECODES && s.includes("%"); i++) {
    try {
      s = decodeURIComponent(s);
    } catch {
      return null;
    }
  }
  // Still encoded after that many rounds: whoever decodes once more gets a separator or a dot.
  return /%(2e|2f|5c)/i.test(s) ? null : s;
}

/** A dot segment as some server may read it: `.`, `..`, more dots, or dots before a `;parameter` (Tomcat). */
const DOTS = /^\.+(;.*)?$/;

/**
 * The normalised path (without query) and the target to send upstream (path + query), or why the request is
 * refused: 404 `not_found_error` outside /v1/, 400 `invalid_request_error` for an ambiguous path.
 */
export function checkRequestPath(url: string): PathVerdict {
  const q = url.indexOf("?");
  const raw = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? "" : url.slice(q);
  // Origin form only: an absolute URL (proxy form) or `*` is not a request for this gateway.
  if (!raw.startsWith("/")) return OUTSIDE;
  if (raw.includes("\\")) return AMBIGUOUS;
  const out: string[] = [];
  for (const segment of raw.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.pop() === undefined) return OUTSIDE;
      continue;
    }
    const plain = decoded(segment);
    if (plain === null || plain.includes("/") || plain.includes("\\") || DOTS.test(plain)) return AMBIGUOUS;
    out.push(segment);
  }
  if (out[0] !== "v1" || out.length < 2) return OUTSIDE;
  const path = `/${out.join("/")}`;
  return { ok: true, path, target: path + query };
}
