import type { Server } from "node:http";

// The requests being forwarded, and the stop that lets them finish: stop accepting, give the ones in flight up to
// a grace period, then close what is left. Plain fields: the request path reads and counts them on every request.

export class InFlight {
  /** Requests between admission and the end of their forwarding. */
  count = 0;
  /** Set once close began: keep-alive connections are told to close after their current response. */
  closing = false;
  private onIdle: (() => void) | null = null;

  /** After a request's line is logged: wakes a waiting stop once none is left. */
  settled(): void {
    if (this.count === 0) this.onIdle?.();
  }

  /** Stops `server` accepting, waits up to `graceMs` for the requests in flight, then closes every connection. */
  async stop(server: Server, graceMs: number): Promise<void> {
    this.closing = true;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (this.count > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    server.closeAllConnections();
    await stopped;
  }
}
