import type { AnyMiddlewareArgs, Middleware } from "@slack/bolt";

// A captured signed request stays valid for Bolt's five-minute window; executing it again would repeat a switch
// or a rotation. Each delivery gets a name from what was verified (delivery.ts: the canonical timestamp and the
// digest over HTTP, the envelope id over Socket Mode) and runs only if it is the first to claim that name. The port is tiny so a store shared by every replica
// can back it; the in-memory one here covers a single process.

export interface ClaimOnce {
  /** True exactly once per name (within the retention window); false for every later claim. */
  claimOnce(name: string): Promise<boolean>;
}

/** Retention outlives Bolt's 5-minute timestamp window, so a replay cannot outwait the memory. */
export function memoryClaims(options: { retainMs?: number; now?: () => number } = {}): ClaimOnce {
  const retain = options.retainMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  const seen = new Map<string, number>();
  return {
    async claimOnce(name) {
      const t = now();
      // Map keeps insertion order, so expired names sit at the front.
      for (const [n, at] of seen) {
        if (t - at < retain) break;
        seen.delete(n);
      }
      if (seen.has(name)) return false;
      seen.set(name, t);
      return true;
    },
  };
}

/** The custom property the receivers attach; Bolt copies it into `context`. */
export const DELIVERY_PROPERTY = "apikeyDelivery";

/**
 * First global middleware. A repeat is acknowledged (so Slack stops retrying) and dropped. A delivery without a
 * name cannot be told apart from a replay, so it is dropped too.
 */
export function replayGuard(claims: ClaimOnce): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const name = args.context[DELIVERY_PROPERTY];
    const first = typeof name === "string" && (await claims.claimOnce(name));
    if (first) {
      await args.next();
      return;
    }
    args.logger.warn(`dropped a ${typeof name === "string" ? "replayed" : "unnamed"} delivery`);
    if ("ack" in args && typeof args.ack === "function") await (args.ack as () => Promise<void>)();
  };
}
