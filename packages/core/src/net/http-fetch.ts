import type { ClientRequest, IncomingMessage } from "node:http";

// How core's own requests reach the network: validation, the Admin API (rotation, usage sync), OAuth (discovery,
// tokens, minting) and federation (the token exchange, GitHub Actions' OIDC endpoint). A `fetch` made on node:http
// and node:https, given to the official SDK and to oauth4webapi as their `fetch`.
//
// Why not the global fetch: Node's fetch parses HTTP with llhttp compiled to WebAssembly, and a process compiles it
// on its first request. On Node 20 that first request cost ~240 ms of CPU and ~9,800 page faults (measured: a bare
// `node -e 0` 60 ms, one fetch to a local server 300 ms, the same request on node:http 84 ms). Most CLI commands
// that reach the network make one or two requests and exit, so `apikey add` paid more for the parser than for
// everything else it does. node:http uses the parser compiled into Node.
//
// What differs from the global fetch, on purpose:
// - A redirect is never followed. The caller gets the 3xx itself (`redirect: "error"` rejects, as fetch does): a
//   followed redirect would carry `x-api-key`, which fetch does not strip across origins, to wherever it points.
// - Bodies are strings, URLSearchParams or bytes: core sends nothing else, and a stream or form would be refused
//   here rather than sent differently.
// Otherwise it behaves as fetch: it resolves with a real `Response` (what the SDK and oauth4webapi check for);
// network failures reject with `TypeError("fetch failed")` and the system error as `cause`; an abort rejects with
// the signal's reason, before the answer or while its body is read; headers are validated by `Headers`; a
// compressed body is decoded; TLS is verified against Node's CA store (NODE_EXTRA_CA_CERTS included).

// Statuses whose answer has no body (Fetch standard, "null body status").
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function fetchFailed(cause: unknown): TypeError {
  return new TypeError("fetch failed", { cause });
}

function requestBody(body: RequestInit["body"], headers: Headers): Buffer | null {
  if (body === undefined || body === null) return null;
  if (typeof body === "string") {
    if (!headers.has("content-type")) headers.set("content-type", "text/plain;charset=UTF-8");
    return Buffer.from(body, "utf8");
  }
  if (body instanceof URLSearchParams) {
    if (!headers.has("content-type"))
      headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8");
    return Buffer.from(body.toString(), "utf8");
  }
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError(
    "httpFetch sends a string, URLSearchParams or bytes as a body; this body is none of them.",
  );
}

/** A Response body from the message: decoded as its Content-Encoding says, back-pressured, erred as fetch errs. */
function responseBody(
  res: IncomingMessage,
  failure: (err: unknown) => unknown,
  onSettled: () => void,
): ReadableStream<Uint8Array> {
  let source: NodeJS.ReadableStream & { destroy(err?: Error): void } = res;
  const encoding = String(res.headers["content-encoding"] ?? "")
    .trim()
    .toLowerCase();
  if (encoding === "gzip" || encoding === "x-gzip" || encoding === "deflate" || encoding === "br") {
    const zlib = process.getBuiltinModule("node:zlib");
    const decoder =
      encoding === "br"
        ? zlib.createBrotliDecompress()
        : encoding === "deflate"
          ? zlib.createInflate()
          : zlib.createGunzip();
    res.on("error", (err) => decoder.destroy(err));
    source = res.pipe(decoder);
  }
  let done = false;
  const finish = (fn: () => void) => {
    if (done) return;
    done = true;
    onSettled();
    fn();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      source.on("data", (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) source.pause();
      });
      source.on("end", () => finish(() => controller.close()));
      source.on("error", (err: Error) => finish(() => controller.error(failure(err))));
      // The connection closed before the whole body came (no 'end'): fetch calls that "terminated".
      res.on("close", () => {
        if (!res.complete) finish(() => controller.error(failure(new TypeError("terminated"))));
      });
    },
    pull() {
      source.resume();
    },
    cancel() {
      finish(() => {});
      res.destroy();
    },
  });
}

interface Outgoing {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

/** The request as it goes out: checked as fetch checks it, with the headers fetch adds when the caller did not. */
function outgoing(input: string | URL | Request, init: RequestInit): Outgoing {
  if (typeof input !== "string" && !(input instanceof URL))
    throw new TypeError("httpFetch takes a URL; core never passes a Request.");
  const url = new URL(input);
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw fetchFailed(new Error(`${url.protocol} is not http or https`));
  const method = (init.method ?? "GET").toUpperCase();
  const headers = new Headers(init.headers);
  const body = requestBody(init.body, headers);
  if (body !== null && (method === "GET" || method === "HEAD"))
    throw new TypeError(`A ${method} request cannot have a body.`);
  if (body !== null) headers.set("content-length", String(body.byteLength));
  else if (method === "POST" || method === "PUT" || method === "PATCH") headers.set("content-length", "0");
  if (!headers.has("accept")) headers.set("accept", "*/*");
  if (!headers.has("user-agent")) headers.set("user-agent", "node");
  const flat: Record<string, string> = {};
  headers.forEach((value, name) => {
    flat[name] = value;
  });
  return { url, method, headers: flat, body };
}

/** The answer as a Response, or why it is not one (a status fetch refuses, a redirect refused, a bad header). */
function answer(
  res: IncomingMessage,
  request: Outgoing,
  redirect: RequestInit["redirect"],
  failure: (err: unknown) => unknown,
  settled: () => void,
): Response {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 599) throw new Error(`the server answered status ${status}`);
  if (redirect === "error" && REDIRECT_STATUSES.has(status))
    throw new Error(`the server answered a redirect (${status}), and redirects were refused`);
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
    headers.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
  let body: ReadableStream<Uint8Array> | null = null;
  if (NULL_BODY_STATUSES.has(status) || request.method === "HEAD") {
    res.resume();
    res.on("end", settled);
  } else body = responseBody(res, failure, settled);
  const response = new Response(body, { status, statusText: res.statusMessage ?? "", headers });
  Object.defineProperty(response, "url", { value: request.url.href });
  return response;
}

/**
 * fetch's signature, so it can be handed wherever a fetch is taken. Of its options, method, headers, body, signal
 * and redirect are read; a Request as input, or a body that is not a string, URLSearchParams or bytes, is refused.
 */
export async function httpFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const request = outgoing(input, init);
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  // Fetched, not imported (as loopback-host.ts fetches node:net): most processes that load core never send.
  const { request: send } =
    request.url.protocol === "https:"
      ? process.getBuiltinModule("node:https")
      : process.getBuiltinModule("node:http");
  return new Promise<Response>((resolve, reject) => {
    let req: ClientRequest;
    let answered: IncomingMessage | undefined;
    // After an abort, whatever fails fails with the signal's reason, as fetch rejects and errs the body.
    const failure = (err: unknown) => (signal?.aborted ? signal.reason : fetchFailed(err));
    const onAbort = () => {
      if (answered) answered.destroy();
      else {
        req.destroy();
        reject(signal?.reason);
      }
    };
    const settled = () => signal?.removeEventListener("abort", onAbort);
    try {
      req = send(request.url, { method: request.method, headers: request.headers });
    } catch (err) {
      reject(fetchFailed(err));
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    req.on("error", (err) => {
      if (answered) return;
      settled();
      reject(failure(err));
    });
    req.on("response", (res) => {
      answered = res;
      try {
        resolve(answer(res, request, init.redirect, failure, settled));
      } catch (err) {
        settled();
        res.destroy();
        reject(fetchFailed(err));
      }
    });
    req.end(request.body ?? undefined);
  });
}
