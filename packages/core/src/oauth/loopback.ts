import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApikeyError, ERROR_CODES } from "../errors.ts";

// The RFC 8252 §7.3 loopback redirect: an HTTP listener on 127.0.0.1 (not "localhost", which may resolve to
// another interface), on a port the OS picks, for one response only: the first whose `state` is this login's. Any
// other request to the callback (a stray tab, a page probing local ports) is answered 400 and the login keeps waiting.

export const CALLBACK_PATH = "/callback";

export interface LoopbackReceiver {
  redirectUri: string;
  /** The state of the authorization request; until it is set, every callback is refused. */
  expectState(state: string): void;
  /** The query of the first callback carrying the expected state; the listener closes after it. */
  wait(timeoutMs: number): Promise<URLSearchParams>;
  close(): void;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title>` +
  `<body style="font-family:system-ui,sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;

/** What the listener and the waiting login share: the expected state, the callback once received, its receiver. */
interface Exchange {
  expected?: Buffer;
  received?: URLSearchParams;
  deliver?: (params: URLSearchParams) => void;
}

export async function startLoopback(): Promise<LoopbackReceiver> {
  const exchange: Exchange = {};
  const server: Server = createServer((req, res) => {
    const received = answerCallback(req, res, exchange);
    if (!received) return;
    server.close();
    exchange.deliver?.(received);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    expectState: (state) => {
      exchange.expected = Buffer.from(state, "utf8");
    },
    wait: (timeoutMs) => waitForCallback(server, exchange, timeoutMs),
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

/** Answers one request; returns the callback's query when it is the one this login waits for. */
function answerCallback(
  req: IncomingMessage,
  res: ServerResponse,
  exchange: Exchange,
): URLSearchParams | null {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  // Only GET on the callback path counts; a favicon request or a stray probe must not end the wait.
  if (req.method !== "GET" || url.pathname !== CALLBACK_PATH || exchange.received) {
    res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
    return null;
  }
  if (!stateMatches(url.searchParams.get("state"), exchange.expected)) {
    res
      .writeHead(400, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
      .end(
        PAGE(
          "Not this login",
          "This response does not belong to the login apikey is waiting for. Use the page apikey opened.",
        ),
      );
    return null;
  }
  exchange.received = url.searchParams;
  const failed = url.searchParams.has("error");
  res
    .writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      connection: "close",
    })
    .end(
      failed
        ? PAGE(
            "Login not completed",
            "apikey received the provider's answer. You can close this tab and return to where you started the login.",
          )
        : PAGE(
            "Login received",
            "apikey received the login. You can close this tab and return to where you started the login.",
          ),
    );
  return exchange.received;
}

/** The callback already received, or the next one; closes the listener when none arrives in time. */
function waitForCallback(server: Server, exchange: Exchange, timeoutMs: number): Promise<URLSearchParams> {
  return new Promise<URLSearchParams>((resolve, reject) => {
    if (exchange.received) return resolve(exchange.received);
    const timer = setTimeout(() => {
      server.close();
      server.closeAllConnections();
      reject(
        new ApikeyError(ERROR_CODES.OAUTH_CODE, "No login arrived before the time limit.", {
          hint: "Log in again, or paste the answer when the browser runs on another machine.",
          details: { reason: "loopback_timeout" },
        }),
      );
    }, timeoutMs);
    timer.unref();
    exchange.deliver = (params) => {
      clearTimeout(timer);
      resolve(params);
    };
  });
}

function stateMatches(got: string | null, expected: Buffer | undefined): boolean {
  if (got === null || expected === undefined) return false;
  const bytes = Buffer.from(got, "utf8");
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}
