import { decryptSecret } from "../crypto/index.ts";
import { DEFAULT_PROFILE, type PendingDeactivation } from "../domain.ts";
import { baseUrlRefusal } from "../validate/base-url.ts";
import type { Session } from "../vault/session.ts";
import { pickAdminKey } from "./admin-key.ts";

// Owed upstream deactivations are rows (store.deactivations), written in the rotation's own transaction, so they
// survive crashes and restarts. States: `pending` — will be tried when due, and again after a transient failure;
// `failed` — needs the person (no Admin key, key not found upstream, Admin key refused); `done`.
// `finishDeactivations` retries both pending and failed rows that are due: the person asked for it explicitly.

export const NO_ADMIN_KEY_REASON =
  "No Admin key in this profile; deactivate the old key in the Anthropic Console, or add an Admin key and finish the owed deactivation.";

export interface DeactivationOutcome {
  id: number;
  keyId: string;
  keyName: string | null;
  profile: string;
  state: PendingDeactivation["state"];
  upstreamId: string | null;
  /** Why it is not done; safe to show (no secrets, no response bodies). */
  error: string | null;
}

export interface FinishOptions {
  /** Only the rotations of this key name (the old and new key share it). */
  name?: string;
  profile?: string;
  now?: Date;
  /** Only these rows, due or not (the rotation that just happened, with `--grace 0`). */
  ids?: number[];
}

export async function finishDeactivations(
  vault: Session,
  opts: FinishOptions = {},
): Promise<DeactivationOutcome[]> {
  const { store } = vault;
  const profile = opts.profile ?? DEFAULT_PROFILE;
  const now = opts.now ?? vault.now();
  const rows = (await store.deactivations.list()).filter(
    (r) =>
      r.state !== "done" &&
      r.profile === profile &&
      // Rows named by id run now: the caller (a rotation with no grace period) asked for exactly these.
      (opts.ids === undefined ? r.dueAt.getTime() <= now.getTime() : opts.ids.includes(r.id)),
  );
  const outcomes: DeactivationOutcome[] = [];
  for (const row of rows) {
    const old = await store.keys.byId(row.keyId);
    if (opts.name !== undefined && old?.name !== opts.name) continue;
    outcomes.push(await finishOne(vault, row, old?.name ?? null));
  }
  return outcomes;
}

async function finishOne(vault: Session, row: PendingDeactivation, keyName: string | null) {
  const result = await attempt(vault, row);
  const now = vault.now();
  await vault.store.transaction(async (tx) => {
    await tx.deactivations.update(row.id, {
      state: result.state,
      attempts: row.attempts + 1,
      lastError: result.error,
      upstreamId: result.upstreamId,
      updatedAt: now,
    });
    const done = result.state === "done";
    await vault.auditIn(tx, done ? "key.deactivate" : "key.deactivate_failed", row.keyId, row.profile, {
      name: keyName,
      upstreamId: result.upstreamId,
      attempt: row.attempts + 1,
      ...(done ? {} : { state: result.state, reason: result.error }),
    });
  });
  return { id: row.id, keyId: row.keyId, keyName, profile: row.profile, ...result };
}

interface Attempt {
  state: PendingDeactivation["state"];
  upstreamId: string | null;
  error: string | null;
}

async function attempt(vault: Session, row: PendingDeactivation): Promise<Attempt> {
  const { store, config } = vault;
  const failed = (error: string, upstreamId = row.upstreamId): Attempt => ({
    state: "failed",
    upstreamId,
    error,
  });
  const old = await store.keys.byId(row.keyId);
  if (!old) return failed("The old key is no longer stored, so it cannot be matched upstream.");
  const admin = await pickAdminKey(store, row.profile);
  if (!admin) return failed(NO_ADMIN_KEY_REASON);
  const insecure = config.anthropicBaseUrl
    ? baseUrlRefusal(config.anthropicBaseUrl, config.allowInsecureBaseUrl)
    : null;
  if (insecure) return failed(insecure);
  const dek = await vault.unlock();
  // Loaded here, not on import: rotation's module is on every start of a front, the Admin API client (and zod,
  // which checks its answers) only where a deactivation is attempted (issue 25).
  const { AdminApiFailure, adminApi } = await import("./admin-api.ts");
  const api = await adminApi(decryptSecret(dek, admin), {
    baseURL: config.anthropicBaseUrl,
    timeoutMs: config.validateTimeoutMs,
  });
  let upstreamId = row.upstreamId ?? old.upstreamId;
  try {
    if (!upstreamId) {
      const found = await api.findKey(decryptSecret(dek, old));
      if (!found) {
        return failed(
          "The old key was not found among the organisation's keys (another organisation, or already archived).",
        );
      }
      upstreamId = found.id;
      // Already off upstream (by hand, or by an earlier attempt whose answer was lost): nothing left to do.
      if (found.status !== "active") return { state: "done", upstreamId, error: null };
    }
    await api.deactivate(upstreamId);
    return { state: "done", upstreamId, error: null };
  } catch (err) {
    if (err instanceof AdminApiFailure) {
      return { state: err.transient ? "pending" : "failed", upstreamId, error: err.message };
    }
    throw err;
  }
}
