// How the bot calls Slack's Web API when Slack answers 429. The bot's client is built with
// `rejectRateLimitedCalls: true` (app.ts), so a 429 comes back at once as an error carrying Retry-After instead of
// the client waiting it out silently: a `views.open` whose trigger expires 3 seconds after the click cannot wait,
// while a `views.update` or `views.publish` can wait a few seconds once. Every call site says which it is.

/** Slack asked the bot to slow down for longer than this call could wait; the person is told to try again. */
export class SlackRateLimited extends Error {
  override readonly name = "SlackRateLimited";
  constructor(
    readonly method: string,
    readonly retryAfterSec: number,
  ) {
    super(`Slack rate-limited ${method} (retry after ${retryAfterSec} s)`);
  }
}

/** Retry-After in seconds when `err` is the Web API client's rate-limit error (or ours), else undefined. */
export function retryAfterOf(err: unknown): number | undefined {
  if (err instanceof SlackRateLimited) return err.retryAfterSec;
  const e = err as { code?: unknown; retryAfter?: unknown } | null;
  if (e?.code !== "slack_webapi_rate_limited_error") return undefined;
  return typeof e.retryAfter === "number" && Number.isFinite(e.retryAfter) ? Math.max(0, e.retryAfter) : 1;
}

export interface CallOptions {
  /** How long this call may wait for Slack's Retry-After before giving up; 0 for trigger-bound calls. */
  maxWaitMs: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Time-bound calls: views.open must happen within 3 s of the trigger, so it never waits. */
export const NO_WAIT: CallOptions = { maxWaitMs: 0 };
/** Calls that nothing times out (an open view, the Home tab, a channel post, a directory look-up). */
export const MAY_WAIT: CallOptions = { maxWaitMs: 10_000 };

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs one Web API call. On a 429 it waits Slack's Retry-After and tries once more when that fits `maxWaitMs`;
 * otherwise (or if the retry is limited too) it throws SlackRateLimited. Other errors pass through.
 */
export async function slackCall<T>(method: string, call: () => Promise<T>, options: CallOptions): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const after = retryAfterOf(err);
    if (after === undefined) throw err;
    if (after * 1000 > options.maxWaitMs) throw new SlackRateLimited(method, after);
    await (options.sleep ?? realSleep)(after * 1000);
    try {
      return await call();
    } catch (again) {
      const next = retryAfterOf(again);
      if (next === undefined) throw again;
      throw new SlackRateLimited(method, next);
    }
  }
}
