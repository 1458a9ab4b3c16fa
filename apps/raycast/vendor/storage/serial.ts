// Vendored from packages/storage/src/serial.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Per-store serialisation. Both drivers are synchronous, but the port is async: without this, an `await` inside
 * one transaction would let another caller's statements run inside it. Work runs one item at a time.
 *
 * Two kinds of work. A transaction calls the store again from inside (the callback gets the store itself): those
 * calls must join it instead of queueing behind it, which would deadlock, so a transaction runs in an async
 * context that marks its continuations as inside. A single repository call never calls back into the store, so it
 * needs no context. The difference matters for speed: while any AsyncLocalStorage is enabled, Node runs a hook
 * for every promise in the process (about 1 µs each, measured: tens of µs per gateway request). The context is
 * therefore enabled only while a transaction runs, and disabled again after it.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly context = new AsyncLocalStorage<{ active: boolean }>();

  get inside(): boolean {
    return this.context.getStore()?.active === true;
  }

  /** One call that does not use this queue's store again (a repository method). */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.inside) return work();
    return this.enqueue(work);
  }

  /** A transaction: store calls made from inside `work` (and its continuations) join it. */
  runScoped<T>(work: () => Promise<T>): Promise<T> {
    if (this.inside) return work();
    return this.enqueue(async () => {
      const scope = { active: true };
      try {
        return await this.context.run(scope, work);
      } finally {
        // Anything fn left running after it returned must queue like everyone else.
        scope.active = false;
        // Only one scoped item runs at a time (the queue), so nothing else needs the context now.
        this.context.disable();
      }
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
