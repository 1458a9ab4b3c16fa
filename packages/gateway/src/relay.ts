import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Copies upstream bytes to the client with backpressure, never holding more than one chunk; a chunk that
 * `isFinal` calls final waits for `beforeFinal` (the usage commit). While reading is paused (a slow client, a
 * commit) the upstream's silence is ours, so the silence timer is paused too.
 */
export function relay(
  from: IncomingMessage,
  to: ServerResponse,
  isFinal: (chunk: Buffer) => boolean,
  beforeFinal: () => Promise<unknown>,
  timer: { pause(): void; resume(): void },
): void {
  const pause = () => {
    from.pause();
    timer.pause();
  };
  const resume = () => {
    timer.resume();
    from.resume();
  };
  const write = (chunk: Buffer) => {
    if (!to.write(chunk)) {
      pause();
      to.once("drain", resume);
    }
  };
  from.on("data", (chunk: Buffer) => {
    if (!isFinal(chunk)) return write(chunk);
    // Hold the bytes that complete the response until its usage is committed: a client that saw the whole
    // response can rely on the event being stored, even if the gateway is killed right after.
    pause();
    void beforeFinal().then(() => {
      if (to.destroyed) return;
      if (to.write(chunk)) resume();
      else to.once("drain", resume);
    });
  });
}
