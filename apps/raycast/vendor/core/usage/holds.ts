// Vendored from packages/core/src/usage/holds.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// What admitted requests may still cost, per key and per token, while they are in flight. A blocking budget counts
// these holds with the spend already recorded, so many requests admitted at once cannot together run past it: each
// holds its worst case (worstCaseCost) from admission until its usage is recorded, or until it ends without any.
// Used by the gateway and the instrumented client. In memory, in one process only: another process on the same
// store sees these requests only once their usage is committed.

export interface Hold {
  /** Gives the held amounts back; only the first call counts. */
  release(): void;
}

export interface Reservations {
  /** USD held for this key or token id by requests in flight. */
  held(id: string): number;
  /** Holds `usd` for each id until the returned hold is released. */
  hold(ids: readonly string[], usd: number): Hold;
  /**
   * USD released for this id so far (only grows). A check that reads recorded spend from the store, which takes a
   * while, adds what was released meanwhile: that request's cost may have been committed after the read.
   */
  released(id: string): number;
  /** Every amount held, summed: 0 when nothing is in flight (tests check nothing leaks). */
  total(): number;
}

export function reservations(): Reservations {
  const held = new Map<string, { usd: number; count: number }>();
  const released = new Map<string, number>();
  return {
    held: (id) => held.get(id)?.usd ?? 0,
    released: (id) => released.get(id) ?? 0,
    hold(ids, usd) {
      const amount = Number.isFinite(usd) && usd > 0 ? usd : 0;
      for (const id of ids) {
        const h = held.get(id) ?? { usd: 0, count: 0 };
        h.usd += amount;
        h.count++;
        held.set(id, h);
      }
      let done = false;
      return {
        release() {
          if (done) return;
          done = true;
          for (const id of ids) {
            released.set(id, (released.get(id) ?? 0) + amount);
            const h = held.get(id);
            if (!h) continue;
            h.count--;
            h.usd -= amount;
            // The last hold gone: forget the id, so float crumbs of additions and subtractions never linger.
            if (h.count <= 0) held.delete(id);
          }
        },
      };
    },
    total() {
      let sum = 0;
      for (const h of held.values()) sum += h.usd;
      return sum;
    },
  };
}
