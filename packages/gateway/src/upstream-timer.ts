import type { ClientRequest, IncomingMessage } from "node:http";
import type { Socket } from "node:net";

// Bounds how long one upstream exchange may hang. Two limits:
// - connect: TCP connect, plus the TLS handshake for https, of a new connection (a kept-alive one skips it);
// - silence: how long the upstream may send nothing, first while we wait for its response headers (a
//   non-streamed answer sends nothing until it is complete, hence a long default), then between two body chunks.
// A stream that keeps sending lives as long as it likes. While the gateway itself stops reading (a slow client,
// a usage commit), the silence is ours, not the upstream's, so the clock is paused.

export type TimeoutPhase = "connect" | "silence";

export interface UpstreamTimer {
  /** The response headers arrived: from now on, watch the silence between body chunks. */
  responseStarted(response: IncomingMessage): void;
  /** The gateway stopped reading the body; the upstream's silence does not count. */
  pause(): void;
  resume(): void;
  /** The exchange is over (ended, failed or abandoned): never fire. */
  stop(): void;
}

export function upstreamTimer(
  req: ClientRequest,
  secure: boolean,
  limits: { connectMs: number; silenceMs: number },
  onTimeout: (phase: TimeoutPhase) => void,
): UpstreamTimer {
  let phase: TimeoutPhase = "silence";
  let stopped = false;
  let paused = false;
  let timer: NodeJS.Timeout | null = null;

  const fire = () => {
    if (stopped) return;
    stopped = true;
    timer = null;
    onTimeout(phase);
  };
  const arm = (next: TimeoutPhase) => {
    if (stopped || paused) return;
    if (timer && phase === next) {
      // Cheaper than a new timer on every chunk of a fast stream.
      timer.refresh();
      return;
    }
    if (timer) clearTimeout(timer);
    phase = next;
    timer = setTimeout(fire, next === "connect" ? limits.connectMs : limits.silenceMs);
    timer.unref();
  };
  const disarm = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };

  // Waiting for a free pooled connection counts as silence too.
  arm("silence");
  req.once("socket", (socket: Socket) => {
    if (!socket.connecting) return;
    arm("connect");
    socket.once(secure ? "secureConnect" : "connect", () => arm("silence"));
  });

  return {
    responseStarted(response) {
      arm("silence");
      response.on("data", () => arm("silence"));
    },
    pause() {
      paused = true;
      disarm();
    },
    resume() {
      paused = false;
      arm("silence");
    },
    stop() {
      stopped = true;
      disarm();
    },
  };
}
