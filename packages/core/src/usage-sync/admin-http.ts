import type { ZodType } from "zod";
import { ApikeyError, ERROR_CODES } from "../errors.ts";

// GET requests to the Admin API for the usage sync: an Admin key in `x-api-key` (as Anthropic's curl examples send
// it), 429s waited out as `retry-after` says (a bounded number of times), every other failure a coded error whose
// words hold no response body and no key.

export interface AdminHttpOptions {
  /** Without `/v1`, as ANTHROPIC_BASE_URL is written; Anthropic's own when undefined. */
  baseUrl: string | undefined;
  adminSecret: string;
  timeoutMs: number;
  /** Injected so tests need not wait; real seconds otherwise. */
  sleep?: (ms: number) => Promise<void>;
  /** 429s waited out before giving up. */
  maxRetries?: number;
}

const DEFAULT_BASE = "https://api.anthropic.com";
/** Longer than this is not a wait a sync should sit through; the next sync resumes instead. */
const MAX_WAIT_MS = 120_000;

export type Query = Array<[string, string]>;

export async function adminGet<T>(
  opts: AdminHttpOptions,
  path: string,
  query: Query,
  schema: ZodType<T>,
): Promise<T> {
  const url = new URL(`${(opts.baseUrl ?? DEFAULT_BASE).replace(/\/+$/, "")}${path}`);
  for (const [name, value] of query) url.searchParams.append(name, value);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxRetries = opts.maxRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const res = await send(url, opts);
    if (res.status === 429 && attempt < maxRetries) {
      const wait = retryAfterMs(res.headers.get("retry-after"));
      await res.body?.cancel();
      if (wait !== null && wait <= MAX_WAIT_MS) {
        await sleep(wait);
        continue;
      }
    }
    if (!res.ok) throw await failure(res, path);
    const parsed = schema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) {
      throw new ApikeyError(
        ERROR_CODES.UPSTREAM_FAILED,
        `The Admin API answered ${path} in an unexpected shape.`,
        {
          details: { path, reason: "unexpected_shape" },
        },
      );
    }
    return parsed.data;
  }
}

async function send(url: URL, opts: AdminHttpOptions): Promise<Response> {
  try {
    return await fetch(url, {
      headers: {
        "x-api-key": opts.adminSecret,
        "anthropic-version": "2023-06-01",
        accept: "application/json",
      },
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === "TimeoutError";
    throw new ApikeyError(
      ERROR_CODES.UPSTREAM_FAILED,
      timedOut ? "The Admin API did not answer in time." : "The Admin API could not be reached.",
      { details: { path: url.pathname, reason: timedOut ? "timeout" : "unreachable" } },
    );
  }
}

/** Seconds or an HTTP date, as RFC 9110 allows; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

async function failure(res: Response, path: string): Promise<ApikeyError> {
  const body = (await res.json().catch(() => null)) as { error?: { type?: unknown } } | null;
  // Only the error's type word: anything else a server sends back stays out of messages.
  const raw = body?.error?.type;
  const type = typeof raw === "string" && /^[a-z_]{1,40}$/.test(raw) ? raw : null;
  const retryAfter = res.headers.get("retry-after");
  const reason =
    res.status === 429
      ? "rate_limited"
      : res.status === 401 || res.status === 403
        ? "not_an_admin_key"
        : "failed";
  return new ApikeyError(
    ERROR_CODES.UPSTREAM_FAILED,
    `The Admin API answered ${res.status}${type ? ` ${type}` : ""} for ${path}.`,
    { details: { path, status: res.status, reason, ...(retryAfter !== null && { retryAfter }) } },
  );
}
