// Vendored from packages/core/src/rotation/rotate.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { randomUUID } from "node:crypto";
import { fingerprintSecret } from "../crypto/index.ts";
import { DEFAULT_PROFILE, type KeyRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { recogniseKey } from "../key-format.ts";
import type { Store } from "../store.ts";
import { STORABLE, type ValidationResult } from "../validate/classify.ts";
import { newKeyRecord, secretFields } from "../vault/new-key.ts";
import type { Session } from "../vault/session.ts";
import { type KeyView, toView } from "../vault/views.ts";
import { pickAdminKey } from "./admin-key.ts";
import { type DeactivationOutcome, finishDeactivations, NO_ADMIN_KEY_REASON } from "./deactivate.ts";
import { DEFAULT_GRACE_MS } from "./grace.ts";
import { type UpstreamPlan, upstreamPlan } from "./upstream-plan.ts";

export interface RotateInput {
  name: string;
  newSecret: string;
  profile?: string;
  /** How long the old key keeps working upstream; 0 deactivates it during this call. Default 15 minutes. */
  graceMs?: number;
  /** Check the new key against the API first (default true). */
  validate?: boolean;
  /**
   * Owe a deactivation of the old key upstream (default true). False: the person keeps the old key working (say, it
   * is shared with something that cannot switch yet) and deactivates it themselves; the result says so.
   */
  deactivateUpstream?: boolean;
}

export interface RotateResult {
  /** False when the key was already rotated to this secret: nothing was written. */
  changed: boolean;
  old: KeyView;
  new: KeyView;
  validation: ValidationResult | null;
  /** What happens to the old key upstream. */
  deactivation: {
    /** `pending`: owed, due at `dueAt`; `manual`: no Admin key, the person must do it; `none`: nothing to do. */
    plan: UpstreamPlan;
    id: number | null;
    dueAt: string | null;
    /** Set when this call already tried (grace 0). */
    outcome: DeactivationOutcome | null;
    reason: string | null;
  };
}

/**
 * Replaces a key's secret: the new key takes the old one's name, profile, budget, organisation, status and (when it
 * was active) the profile's active slot; the old one becomes `rotated` and links to it. One transaction, one audit
 * entry. Rotating again with the same new secret is a no-op (no write, no audit entry) that reports `changed: false`.
 */
export async function rotateKey(vault: Session, input: RotateInput): Promise<RotateResult> {
  const profile = input.profile ?? DEFAULT_PROFILE;
  const graceMs = input.graceMs ?? DEFAULT_GRACE_MS;
  const { kind, secret } = recogniseKey(input.newSecret);
  const old = await findLive(vault.store, input.name, profile);
  if (old.kind === "federated") throw nothingToRotate(old.name);
  const dek = await vault.unlock();
  const fingerprint = fingerprintSecret(dek, secret);

  // Decide everything that needs no network before validating, so a mistake costs no request.
  const early = await decide(vault.store, old, fingerprint, kind);
  if (early.kind === "same") return finishNow(vault, await unchanged(vault, early.predecessor, old), graceMs);

  const validation = input.validate === false ? null : await vault.validateSecret(secret, kind);
  if (validation && !STORABLE.has(validation.outcome)) {
    throw new ApikeyError(ERROR_CODES.KEY_INVALID, validation.message, {
      hint: `Nothing changed: ${old.name} still holds the old key. Check you copied the whole new key.`,
    });
  }

  const now = vault.now();
  const id = randomUUID();
  // The successor keeps what belongs to the slot (name, profile, organisation, status, budget); the rest is new.
  const created = newKeyRecord({
    ...secretFields(
      dek,
      { id, profile: old.profile, name: old.name, kind },
      secret,
      fingerprint,
      validation,
      now,
    ),
    name: old.name,
    profile: old.profile,
    kind,
    source: "manual",
    organization: old.organization,
    status: old.status,
    monthlyBudgetUsd: old.monthlyBudgetUsd,
    budgetMode: old.budgetMode,
    rotatedFromId: old.id,
  });

  const committed = await vault.store.transaction(async (tx) => {
    // Re-read under the write lock: another process may have rotated or changed the key meanwhile.
    const current = await findLive(tx, input.name, profile);
    const again = await decide(tx, current, fingerprint, kind);
    if (again.kind === "same") return { same: again.predecessor, current } as const;
    if (current.id !== old.id) {
      throw new ApikeyError(ERROR_CODES.STORE_BUSY, `${old.name} was changed by another process meanwhile.`, {
        hint: "Run the command again.",
      });
    }
    const p = await tx.profiles.get(profile);
    const wasActive = p?.activeKeyId === old.id;
    // The old row leaves the live name first: (profile, name) is unique among non-rotated keys.
    await tx.keys.update(old.id, { status: "rotated", rotatedToId: id, updatedAt: now });
    await tx.keys.insert(created);
    if (wasActive) await tx.profiles.setActiveKey(profile, id);

    // Only API keys can be switched off through the Admin API; Admin keys and OAuth tokens are the Console's job.
    const admin = old.kind === "api" ? await pickAdminKey(tx, profile) : null;
    const plan = upstreamPlan(old.kind, admin !== null, input.deactivateUpstream !== false);
    let rowId: number | null = null;
    let dueAt: Date | null = null;
    if (plan !== "none") {
      dueAt = new Date(now.getTime() + graceMs);
      rowId = await tx.deactivations.add({
        keyId: old.id,
        profile,
        keyHint: old.hint,
        upstreamId: old.upstreamId,
        dueAt,
        // A failed row with the reason, so adding an Admin key later and running --finish still works.
        state: admin ? "pending" : "failed",
        attempts: 0,
        lastError: admin ? null : NO_ADMIN_KEY_REASON,
        createdAt: now,
        updatedAt: now,
      });
    }
    await vault.auditIn(tx, "key.rotate", id, profile, {
      name: old.name,
      oldId: old.id,
      newId: id,
      activated: wasActive,
      validation: created.validation,
      graceMs,
      upstream: plan,
    });
    return { same: null, wasActive, plan, rowId, dueAt } as const;
  });
  if (committed.same)
    return finishNow(vault, await unchanged(vault, committed.same, committed.current), graceMs);

  const activeId = committed.wasActive ? id : null;
  const result: RotateResult = {
    changed: true,
    old: toView({ ...old, status: "rotated", rotatedToId: id }, null),
    new: toView(created, activeId),
    validation,
    deactivation: {
      plan: committed.plan,
      id: committed.rowId,
      dueAt: committed.dueAt?.toISOString() ?? null,
      outcome: null,
      reason: committed.plan === "manual" ? NO_ADMIN_KEY_REASON : null,
    },
  };
  return finishNow(vault, result, graceMs);
}

/** With no grace period, the owed deactivation runs in this call; trouble upstream is reported, never undone. */
async function finishNow(vault: Session, result: RotateResult, graceMs: number): Promise<RotateResult> {
  const { plan, id } = result.deactivation;
  if (graceMs !== 0 || plan !== "pending" || id === null) return result;
  const [outcome] = await finishDeactivations(vault, { profile: result.new.profile, ids: [id] });
  result.deactivation.outcome = outcome ?? null;
  if (outcome && outcome.state !== "done") {
    result.deactivation.reason = outcome.error;
    vault.warn(`The old key is rotated here but still works upstream: ${outcome.error}`);
  }
  return result;
}

type Decision = { kind: "new" } | { kind: "same"; predecessor: KeyRecord };

async function decide(
  store: Store,
  live: KeyRecord,
  fingerprint: string,
  kind: KeyRecord["kind"],
): Promise<Decision> {
  if (live.fingerprint === fingerprint) {
    // The live key already is this secret. If it got there by rotation, this is a repeat: succeed, change nothing.
    const predecessor = live.rotatedFromId ? await store.keys.byId(live.rotatedFromId) : null;
    if (predecessor) return { kind: "same", predecessor };
    throw new ApikeyError(ERROR_CODES.ROTATE_SAME_KEY, `The new key is the one ${live.name} already holds.`, {
      hint: "Create a new key in the Anthropic Console, then rotate to it.",
    });
  }
  if (live.kind !== kind) {
    throw new ApikeyError(
      ERROR_CODES.KEY_FORMAT,
      `${live.name} holds ${article(live.kind)} key; the new one is ${article(kind)} key.`,
      { hint: "Rotate a key to one of the same kind, or add the new key under another name." },
    );
  }
  const existing = await store.keys.byFingerprint(fingerprint);
  if (existing) {
    const what = existing.status === "rotated" ? " (an earlier, rotated key)" : "";
    throw new ApikeyError(
      ERROR_CODES.KEY_DUPLICATE,
      `The new key is already stored as "${existing.name}" in profile "${existing.profile}"${what}.`,
      { hint: "Rotate to a freshly created key; a key is stored once." },
    );
  }
  return { kind: "new" };
}

async function unchanged(vault: Session, predecessor: KeyRecord, live: KeyRecord): Promise<RotateResult> {
  const p = await vault.store.profiles.get(live.profile);
  const [row] = await vault.store.deactivations.list({ keyId: predecessor.id });
  const plan = row?.state === "pending" ? "pending" : row?.state === "failed" ? "manual" : "none";
  return {
    changed: false,
    old: toView(predecessor, null),
    new: toView(live, p?.activeKeyId ?? null),
    validation: null,
    deactivation: {
      plan,
      id: row?.id ?? null,
      dueAt: row?.dueAt.toISOString() ?? null,
      outcome: null,
      reason: row?.lastError ?? null,
    },
  };
}

async function findLive(store: Store, name: string, profile: string): Promise<KeyRecord> {
  const key = await store.keys.byName(profile, name);
  if (key) return key;
  if (!(await store.profiles.get(profile)) && profile !== DEFAULT_PROFILE) {
    throw new ApikeyError(ERROR_CODES.PROFILE_NOT_FOUND, `No profile named "${profile}".`, {
      details: { profile },
    });
  }
  throw new ApikeyError(ERROR_CODES.KEY_NOT_FOUND, `No key named "${name}" in profile "${profile}".`, {
    details: { key: name, profile },
  });
}

const article = (kind: KeyRecord["kind"]) =>
  kind === "api" ? "an API" : kind === "admin" ? "an Admin" : "an OAuth";

/** A federated key holds no secret: its tokens are minted minutes at a time, so there is nothing to rotate. */
export function nothingToRotate(name: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.FEDERATED_KEY, `Key "${name}" is federated — nothing to rotate.`, {
    hint: "Its tokens are short-lived and minted on use. To change its rule or identity token, delete it and add it again.",
    details: { key: name, reason: "nothing_to_rotate" },
  });
}
