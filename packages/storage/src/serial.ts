import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Per-store serialisation. Both drivers are synchronous, but the port is async: without this, an `await` inside
 * one transaction would let another caller's statements run inside it. Work runs one item at a time; work started
 * from inside a running item (a nested transaction, a repository call with the tx store) joins it instead of
 * queueing behind it, which would deadlock.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly context = new AsyncLocalStorage<{ active: boolean }>();

  get inside(): boolean {
    return this.context.getStore()?.active === true;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.inside) return work();
    const result = this.tail.then(async () => {
      const scope = { active: true };
      try {
        return await this.context.run(scope, work);
      } finally {
        // Anything fn left running after it returned must queue like everyone else.
        scope.active = false;
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
