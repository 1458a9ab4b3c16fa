// Vendored from packages/core/src/rotation/admin-api.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { z } from "zod";
import { httpFetch } from "../net/http-fetch.ts";
import { matchesPartialHint } from "./partial-hint.ts";

// The two Admin API calls rotation needs, through the official SDK (lazily imported: it is large). No retries:
// a failure is recorded and retried by `rotate --finish`, which is better than a long wait on an outage.

export interface AdminApiOptions {
  baseURL: string | undefined;
  timeoutMs: number;
}

/** Why an Admin API call failed, in words safe to store and show (never a response body or a secret). */
export class AdminApiFailure extends Error {
  /** Transient failures (timeouts, 5xx, 429) are retried; the rest need the person. */
  readonly transient: boolean;
  constructor(message: string, transient: boolean) {
    super(message);
    this.transient = transient;
  }
}

const OrgKey = z.object({
  id: z.string().min(1),
  status: z.string(),
  partial_key_hint: z.string().nullable().optional(),
});
const OrgKeyPage = z.object({
  data: z.array(OrgKey),
  has_more: z.boolean(),
  last_id: z.string().nullable().optional(),
});
export type OrgKey = z.infer<typeof OrgKey>;

const PAGE_SIZE = 100;
// 100 pages × 100 keys: far beyond any organisation we expect, and a bound on a misbehaving server.
const MAX_PAGES = 100;

export interface AdminApi {
  /** The organisation's key whose hint matches `secret`; null when none does. Throws AdminApiFailure. */
  findKey(secret: string): Promise<OrgKey | null>;
  /** Sets the key inactive; throws AdminApiFailure. */
  deactivate(id: string): Promise<void>;
}

export async function adminApi(adminSecret: string, opts: AdminApiOptions): Promise<AdminApi> {
  const sdk = await import("@anthropic-ai/sdk");
  const client = new sdk.default({
    apiKey: adminSecret,
    authToken: null,
    baseURL: opts.baseURL ?? null,
    timeout: opts.timeoutMs,
    maxRetries: 0,
    fetch: httpFetch,
  });
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw describeFailure(sdk, what, err);
    }
  };
  return {
    async findKey(secret) {
      const matches: OrgKey[] = [];
      let after: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const raw = await call("listing the organisation's keys", () =>
          client.get("/v1/organizations/api_keys", {
            query: { limit: PAGE_SIZE, ...(after && { after_id: after }) },
          }),
        );
        const parsed = OrgKeyPage.safeParse(raw);
        if (!parsed.success) {
          throw new AdminApiFailure("The Admin API answered with an unexpected key list.", false);
        }
        matches.push(...parsed.data.data.filter((k) => matchesPartialHint(secret, k.partial_key_hint)));
        if (!parsed.data.has_more || !parsed.data.last_id) break;
        after = parsed.data.last_id;
      }
      if (matches.length <= 1) return matches[0] ?? null;
      // Hints are short, so two keys can share one; only an unambiguous live match is safe to switch off.
      const live = matches.filter((k) => k.status === "active");
      if (live.length === 1) return live[0] ?? null;
      if (live.length === 0) return matches[0] ?? null;
      throw new AdminApiFailure(
        `${live.length} of the organisation's active keys match the old key's hint; deactivate it in the Console.`,
        false,
      );
    },
    async deactivate(id) {
      await call("deactivating the old key", () =>
        client.post(`/v1/organizations/api_keys/${encodeURIComponent(id)}`, { body: { status: "inactive" } }),
      );
    },
  };
}

type Sdk = typeof import("@anthropic-ai/sdk");

function describeFailure(sdk: Sdk, what: string, err: unknown): Error {
  if (err instanceof sdk.APIConnectionTimeoutError) {
    return new AdminApiFailure(`The Admin API timed out while ${what}.`, true);
  }
  if (err instanceof sdk.APIConnectionError) {
    return new AdminApiFailure(`The Admin API could not be reached while ${what}.`, true);
  }
  if (err instanceof sdk.APIError) {
    const status = err.status ?? 0;
    const transient = status === 429 || status >= 500;
    const type = err.type ? ` ${err.type}` : "";
    return new AdminApiFailure(`The Admin API answered ${status}${type} while ${what}.`, transient);
  }
  return err instanceof Error ? err : new Error(String(err));
}
