// Vendored from packages/core/src/usage/client.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { default as Anthropic, ClientOptions, Middleware } from "@anthropic-ai/sdk";
import type { Metering } from "../app/metering.ts";
import { DEFAULT_PROFILE, type KeyRecord } from "../domain.ts";
import { isOAuthTokenKind, withOAuthBeta, workspaceHeader } from "../oauth-bearer.ts";
import { assertSafeBaseUrl } from "../validate/base-url.ts";
import { type AnthropicErrorResponse, budgetExceededError, budgetHeldError, budgetStatus } from "./budget.ts";
import { countsOf, ZERO_COUNTS } from "./counts.ts";
import { createUsageExtractor, type ExtractedUsage, usageFromJson } from "./extract.ts";
import { type Hold, reservations } from "./holds.ts";
import { recordUsage, type UsageInput, usageRefusal } from "./record.ts";
import { monthWindow } from "./window.ts";
import { boundFromBody, worstCaseCost } from "./worst-case.ts";

export interface AnthropicClientOptions {
  /** What openApikey returned: the client uses its `metering` port (active keys, budgets, usage). */
  app: { metering: Metering };
  profile?: string;
  /** Recorded on every usage event; default `client`. */
  front?: string;
  /** Anything else for the SDK client. Credentials and `fetch` are apikey's. */
  sdk?: Omit<ClientOptions, "apiKey" | "authToken" | "credentials" | "config" | "profile">;
}

// The SDK insists on a credential; the middleware below replaces it with the profile's active key on every
// attempt, so this placeholder never leaves the process.
const PLACEHOLDER = "apikey-managed";

/**
 * The official SDK client, bound to the profile's active key and metered: every `POST /v1/messages` attempt
 * (retries included, since each reaches the API) becomes a usage event on the key that made it — tokens from the
 * JSON body, or from a stream's `message_start` and last `message_delta`; an error answer or a failed connection
 * becomes an event with no tokens. The key is looked up per request, so `apikey use` takes effect on the next call.
 *
 * The hook is the SDK's own `middleware` option (1.14): it sees the canonical request and response on every
 * endpoint and needs no patching. Over a blocking budget a request is answered locally, before any network,
 * with the same 402 `billing_error` the gateway sends, so the app gets an ordinary `APIError` (status 402,
 * not retried). At 80 % the app's warning callback is told, once per key and month.
 */
export async function createAnthropicClient(options: AnthropicClientOptions): Promise<Anthropic> {
  const core = options.app.metering;
  const baseURL = options.sdk?.baseURL ?? core.config.anthropicBaseUrl ?? undefined;
  // Every request carries the active key: refuse plain http to another host before anything is made.
  assertSafeBaseUrl(baseURL, core.config.allowInsecureBaseUrl);
  const { default: AnthropicClient } = await import("@anthropic-ai/sdk");
  const meter = meterMiddleware(
    core,
    options.profile ?? DEFAULT_PROFILE,
    budgetGate(core),
    usageWriter(core, options.front ?? "client"),
  );
  return new AnthropicClient({
    ...options.sdk,
    baseURL: baseURL ?? null,
    apiKey: PLACEHOLDER,
    authToken: null,
    middleware: [meter, ...(options.sdk?.middleware ?? [])],
  });
}

/** The refusal when the request may not go; otherwise what it holds (null: no blocking budget). */
type BudgetGate = (
  key: KeyRecord,
  worstCaseUsd: number,
) => Promise<{ refusal: Response; hold?: never } | { refusal?: never; hold: Hold | null }>;

/** Records one attempt's usage on the key that made it; never throws (failures are told as warnings). */
type UsageWriter = (
  key: KeyRecord,
  model: string,
  usage: ExtractedUsage | null,
  requestId: string | null,
) => Promise<unknown>;

/** Blocking budgets, with what this client's requests in flight hold, and the 80 % warning once per key and month. */
function budgetGate(core: Metering): BudgetGate {
  const warned = new Set<string>();
  // What this client's requests in flight hold against blocking budgets (holds.ts): without them, many calls made
  // at once would all see the same recorded spend and all go.
  const held = reservations();
  return async (key, worstCaseUsd) => {
    // Keys without a budget skip the month's aggregate query entirely.
    if (key.monthlyBudgetUsd === null) return { hold: null };
    const now = core.now();
    // What is released while the spend is read may have been committed after the read: count it, to be safe.
    const releasedBefore = held.released(key.id);
    const status = await budgetStatus(core.store, key.id, now);
    if (status.blocked) return { refusal: refusalResponse(budgetExceededError(status, key.name)) };
    if (status.mode === "block" && status.budgetUsd !== null) {
      const inFlight = held.held(key.id) + held.released(key.id) - releasedBefore;
      if (status.spentUsd + inFlight > status.budgetUsd)
        return { refusal: refusalResponse(budgetHeldError(status, key.name)) };
    }
    const once = `${key.id}@${monthWindow(now).since.getTime()}`;
    if (status.message && !warned.has(once)) {
      warned.add(once);
      core.warn(status.message);
    }
    return { hold: status.mode === "block" ? held.hold([key.id], worstCaseUsd) : null };
  };
}

// A response the API has answered belongs to the app even when the store cannot take its event (busy, read-only):
// the failure is told through the app's warning callback, never thrown into the app's call.
function usageWriter(core: Metering, front: string): UsageWriter {
  return (key, model, usage, requestId) => {
    const input: UsageInput = {
      keyId: key.id,
      model: usage?.model ?? model,
      ...countsOf(usage ?? ZERO_COUNTS),
      requestId,
      front,
      refused: usage?.refused ?? null,
    };
    const refused = usageRefusal(input);
    if (refused !== null) {
      core.warn(
        `The API's usage figures for key "${key.name}" were refused (${refused}); the request is recorded with no tokens and no cost.`,
      );
    }
    return recordUsage(core.store, input, core.now()).catch((err: unknown) => {
      const code = (err as { code?: unknown })?.code;
      core.warn(
        `Could not record usage for key "${key.name}"${typeof code === "string" ? ` (${code})` : ""}.`,
      );
    });
  };
}

/** The SDK middleware: the profile's active key on every attempt; Messages calls budget-checked and metered. */
function meterMiddleware(
  core: Metering,
  profile: string,
  checkBudget: BudgetGate,
  record: UsageWriter,
): Middleware {
  return async (request, next, ctx) => {
    // The one active-key path: the same checks and OAuth refresh as `apikey current`; usage events record the use.
    const { record: key, secret } = await core.activeKey(profile);
    request.headers.delete("x-api-key");
    request.headers.set("authorization", `Bearer ${secret}`);
    if (isOAuthTokenKind(key.kind)) addOAuthBeta(request.headers);
    for (const [name, value] of Object.entries(workspaceHeader(key))) request.headers.set(name, value);

    if (!isMessages(request)) return next(request);
    const budget = await checkBudget(key, worstCaseOf(request.body));
    if (budget.refusal) return budget.refusal;
    // Given back once the usage is recorded (which then counts instead), however the request ends.
    const settle = <T>(recorded: Promise<T>): Promise<T> => recorded.finally(() => budget.hold?.release());

    const model = requestModel(ctx.options?.body, request.body);
    let response: Response;
    try {
      response = await next(request);
    } catch (err) {
      await settle(record(key, model, null, null));
      throw err;
    }
    const requestId = response.headers.get("request-id");
    if (!response.ok || response.body === null) {
      await settle(record(key, model, null, requestId));
      return response;
    }
    if ((response.headers.get("content-type") ?? "").includes("text/event-stream")) {
      // A stream the app drops without reading to the end or cancelling keeps its hold until the client is gone.
      return new Response(
        meteredBody(response.body, (usage) => settle(record(key, model, usage, requestId))),
        response,
      );
    }
    // JSON: read it here so the event is committed before the SDK call resolves.
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      budget.hold?.release();
      throw err;
    }
    let usage: ExtractedUsage | null = null;
    try {
      usage = usageFromJson(JSON.parse(text));
    } catch {
      // Not JSON: the SDK will report it; the request still counts.
    }
    await settle(record(key, model, usage, requestId));
    return new Response(text, response);
  };
}

function refusalResponse(refusal: AnthropicErrorResponse): Response {
  return new Response(JSON.stringify(refusal.body), {
    status: refusal.status,
    headers: { "content-type": "application/json", ...refusal.headers },
  });
}

/** The request's worst case from its wire body (a string for JSON requests; anything else bounds as the dearest). */
function worstCaseOf(body: unknown): number {
  const text = typeof body === "string" ? body : "";
  return worstCaseCost(boundFromBody(text, Buffer.byteLength(text)));
}

function isMessages(request: { url: string; method?: string | undefined }): boolean {
  if ((request.method ?? "GET").toUpperCase() !== "POST") return false;
  try {
    return new URL(request.url).pathname.endsWith("/v1/messages");
  } catch {
    return false;
  }
}

function addOAuthBeta(headers: Headers): void {
  headers.set("anthropic-beta", withOAuthBeta(headers.get("anthropic-beta")));
}

function requestModel(optionsBody: unknown, wireBody: unknown): string {
  const fromOptions = (optionsBody as { model?: unknown } | undefined)?.model;
  if (typeof fromOptions === "string") return fromOptions;
  if (typeof wireBody === "string") {
    try {
      const model = (JSON.parse(wireBody) as { model?: unknown }).model;
      if (typeof model === "string") return model;
    } catch {
      // Not JSON.
    }
  }
  return "unknown";
}

/**
 * Passes a stream through untouched while metering it. The event is recorded before the stream reports its end,
 * so a caller that has read the whole stream can rely on it; a caller that stops early (cancel) still gets what
 * was seen recorded.
 */
function meteredBody(
  source: ReadableStream<Uint8Array>,
  onEnd: (usage: ExtractedUsage | null) => Promise<unknown>,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const usage = createUsageExtractor({ contentType: "text/event-stream" });
  let done = false;
  const finish = async () => {
    if (done) return;
    done = true;
    await onEnd(usage.end());
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        await finish();
        controller.error(err);
        return;
      }
      if (chunk.done) {
        await finish();
        controller.close();
        return;
      }
      usage.push(chunk.value);
      controller.enqueue(chunk.value);
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => undefined);
      await finish();
    },
  });
}
