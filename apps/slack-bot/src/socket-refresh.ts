import type { Logger, SocketModeReceiver } from "@slack/bolt";

// Slack's Socket Mode guide: on a `disconnect` message (`refresh_requested`, or `warning` ahead of a close), open
// a new connection and close the old one only once the new one is up; Slack may still send envelopes on the old
// one meanwhile, and those must be acked and run. @slack/socket-mode 3.x instead closes the old connection at once
// and reconnects only after its back-off (5 s), so an envelope sent in between is lost. This replaces only that
// step: the client's own handling of every other message (hello, envelopes, acks) is kept, and any failure here
// falls back to the library's reconnect. It reaches into the client's internals (tested against a stand-in of
// Slack's protocol in test/issue22-socket-mode.test.ts, so an upgrade that moves them fails that test).

interface SlackWebSocketLike {
  options: Record<string, unknown>;
  logger?: unknown;
  connect(): void;
  disconnect(): void;
  isActive(): boolean;
}

interface ClientInternals {
  websocket?: SlackWebSocketLike;
  shuttingDown?: boolean;
  onWebSocketMessage(data: unknown, isBinary: boolean): Promise<void>;
  retrieveWSSURL(): Promise<string>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  removeAllListeners(event: string): unknown;
}

const CONNECTED = "connected";
const REFRESH_TIMEOUT_MS = 10_000;

function isDisconnect(data: unknown, isBinary: boolean): boolean {
  if (isBinary) return false;
  const text = typeof data === "string" ? data : new TextDecoder().decode(data as ArrayBuffer);
  if (!text.includes('"disconnect"')) return false;
  try {
    return (JSON.parse(text) as { type?: unknown }).type === "disconnect";
  } catch {
    return false;
  }
}

export function refreshBeforeClosing(receiver: SocketModeReceiver, logger: Logger): void {
  const socketClient = receiver.client as unknown as ClientInternals;
  if (
    typeof socketClient.onWebSocketMessage !== "function" ||
    typeof socketClient.retrieveWSSURL !== "function"
  ) {
    logger.warn("socket mode: client internals changed; disconnect messages use the library's reconnect");
    return;
  }
  const handle = socketClient.onWebSocketMessage.bind(socketClient);
  let refreshing = false;

  const refresh = async () => {
    const old = socketClient.websocket;
    if (refreshing || !old || socketClient.shuttingDown) return;
    refreshing = true;
    try {
      const url = await socketClient.retrieveWSSURL();
      const Socket = old.constructor as new (options: Record<string, unknown>) => SlackWebSocketLike;
      const next = new Socket({ ...old.options, url, ...(old.logger ? { logger: old.logger } : {}) });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          socketClient.removeListener(CONNECTED, onHello);
          reject(new Error("no hello on the new connection"));
        }, REFRESH_TIMEOUT_MS);
        const onHello = () => {
          clearTimeout(timer);
          resolve();
        };
        socketClient.once(CONNECTED, onHello);
        next.connect();
      });
      // The new connection is up: acks go out on it from now, and closing the old one starts no reconnect (the
      // client reconnects only when its current connection is not active).
      socketClient.websocket = next;
      old.disconnect();
      logger.info("socket mode: moved to a new connection as Slack asked");
    } catch (err) {
      logger.warn(`socket mode: refresh failed (${(err as Error).message}); reconnecting the usual way`);
      old.disconnect();
    } finally {
      refreshing = false;
    }
  };

  socketClient.removeAllListeners("ws_message");
  socketClient.on("ws_message", (data: unknown, isBinary: unknown) => {
    if (isDisconnect(data, isBinary === true)) {
      void refresh();
      return;
    }
    void handle(data, isBinary === true);
  });
}
