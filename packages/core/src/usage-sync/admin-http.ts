import type { ZodType } from "zod";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { httpFetch } from "../net/http-fetch.ts";
import { type NetworkFailure, networkError, networkFailureOf } from "./network-failure.ts";

// GET requests to the Admin API for the usage sync: an Admin key in `x-api-key` (as Anthropic's curl examples send
// it), 429s waited out as `retry-after` says and failed connections tried again after a growing pause (a bounded
// number of times each), every other failure a coded error whose words hold no response body and no key.

export interface AdminHttpOptions {
  /** Without `/v1`, as ANTHROPIC_BASE_URL is written; Anthropic's own when undefined. */
  baseUrl: string | undefined;
  adminSecret: string;
  timeoutMs: number;
  /** Injected so tests need not wait; real seconds otherwise. */
  sleep?: (ms: number) => Promise<void>;
  /** 429s waited out, and failed connections tried again, before giving up. */
  maxRetries?: number;
}

const DEFAULT_BASE = "https://api.anthropic.com";
/** The first pause before trying a failed connection again; it doubles each time. */
const BACKOFF_MS = 500;
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
    const answer = await send(url, opts);
    if ("failed" in answer) {
      // A dropped or refused connection is often a blip: tried again after a growing pause. A timeout is not
      // retried: it already waited the whole timeout, and the next sync resumes at the same page.
      if (answer.failed === "unreachable" && attempt < maxRetries) {
        await sleep(BACKOFF_MS * 2 ** attempt);
        continue;
      }
      throw networkError(answer.failed, path, opts.timeoutMs, attempt + 1);
    }
    const { res, body } = answer;
    if (res.status === 429 && attempt < maxRetries) {
      // As retry-after says; without one, the same growing pause as a failed connection.
      const wait = retryAfterMs(res.headers.get("retry-after")) ?? BACKOFF_MS * 2 ** attempt;
      if (wait <= MAX_WAIT_MS) {
        await sleep(wait);
        continue;
      }
    }
    if (!res.ok) throw failure(res, body, path);
    const parsed = schema.safeParse(body);
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

type Answer = { res: Response; body: unknown } | { failed: NetworkFailure };

/** One request, its body read within the same timeout (a body that stalls is a timeout, not a bad answer). */
async function send(url: URL, opts: AdminHttpOptions): Promise<Answer> {
  try {
    const res = await httpFetch(url, {
      headers: {
        "x-api-key": opts.adminSecret,
        "anthropic-version": "2023-06-01",
        accept: "application/json",
      },
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { res, body };
  } catch (err) {
    return { failed: networkFailureOf(err) };
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

function failure(res: Response, answer: unknown, path: string): ApikeyError {
  const body = answer as { error?: { type?: unknown } } | null | undefined;
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
