import type { ServerResponse } from "node:http";
import type { Dispatcher } from "undici";

/**
 * Copies upstream bytes to the client with backpressure, never holding more than one chunk: when the client's
 * socket is full, upstream reading pauses until it drains (undici's silence timer does not run while paused).
 * A chunk the caller calls final waits for `beforeFinal` (the usage commit).
 */
export class Relay {
  readonly #to: ServerResponse;
  readonly #beforeFinal: () => Promise<unknown>;
  #from: Dispatcher.DispatchController | null = null;
  // One bound function per exchange, not one per paused chunk.
  readonly #resume = () => this.#from?.resume();

  constructor(to: ServerResponse, beforeFinal: () => Promise<unknown>) {
    this.#to = to;
    this.#beforeFinal = beforeFinal;
  }

  push(from: Dispatcher.DispatchController, chunk: Buffer, final: boolean): void {
    this.#from = from;
    if (!final) {
      if (!this.#to.write(chunk)) this.#pauseUntilDrained();
      return;
    }
    // Hold the bytes that complete the response until its usage is committed: a client that saw the whole
    // response can rely on the event being stored, even if the gateway is killed right after.
    from.pause();
    void this.#beforeFinal().then(() => {
      if (this.#to.destroyed) return;
      if (this.#to.write(chunk)) from.resume();
      else this.#pauseUntilDrained();
    });
  }

  #pauseUntilDrained(): void {
    this.#from?.pause();
    this.#to.once("drain", this.#resume);
  }
}
