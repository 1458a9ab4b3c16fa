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
import { rotationRefusal } from "./refusal.ts";
import { decide, findLive } from "./rotate-checks.ts";
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
 *
 * Steps: plan (find the live key, decide without network) → validate the new key upstream → build the successor →
 * swap in one transaction (re-check, swap rows, owe the old key's deactivation, audit) → deactivate the old key now
 * when there is no grace period.
 */
export async function rotateKey(vault: Session, input: RotateInput): Promise<RotateResult> {
  const profile = input.profile ?? DEFAULT_PROFILE;
  const graceMs = input.graceMs ?? DEFAULT_GRACE_MS;
  const { kind, secret } = recogniseKey(input.newSecret);
  const old = await findLive(vault.store, input.name, profile);
  const refused = rotationRefusal(old);
  if (refused) throw refused;
  const dek = await vault.unlock();
  const fingerprint = fingerprintSecret(dek, secret);

  // Decide everything that needs no network before validating, so a mistake costs no request.
  const early = await decide(vault.store, old, fingerprint, kind);
  if (early.kind === "same") return finishNow(vault, await unchanged(vault, early.predecessor, old), graceMs);

  const validation = await validateSuccessor(vault, input, old, secret, kind);
  const now = vault.now();
  const created = successorRecord(old, { dek, id: randomUUID(), kind, secret, fingerprint, validation, now });
  const swap: Swap = { input, profile, graceMs, fingerprint, old, created, now };
  const committed = await vault.store.transaction((tx) => swapInTransaction(vault, tx, swap));
  if (committed.same)
    return finishNow(vault, await unchanged(vault, committed.same, committed.current), graceMs);
  return finishNow(vault, rotatedResult(old, created, validation, committed), graceMs);
}

/** Checks the new key against the API unless told not to; a key the API refuses changes nothing. */
async function validateSuccessor(
  vault: Session,
  input: RotateInput,
  old: KeyRecord,
  secret: string,
  kind: KeyRecord["kind"],
): Promise<ValidationResult | null> {
  const validation = input.validate === false ? null : await vault.validateSecret(secret, kind);
  if (validation && !STORABLE.has(validation.outcome)) {
    throw new ApikeyError(ERROR_CODES.KEY_INVALID, validation.message, {
      hint: `Nothing changed: ${old.name} still holds the old key. Check you copied the whole new key.`,
    });
  }
  return validation;
}

interface Successor {
  dek: Buffer;
  id: string;
  kind: KeyRecord["kind"];
  secret: string;
  fingerprint: string;
  validation: ValidationResult | null;
  now: Date;
}

/** The successor keeps what belongs to the slot (name, profile, organisation, status, budget); the rest is new. */
function successorRecord(old: KeyRecord, s: Successor): KeyRecord {
  const sealedTo = { id: s.id, profile: old.profile, name: old.name, kind: s.kind };
  return newKeyRecord({
    ...secretFields(s.dek, sealedTo, s.secret, s.fingerprint, s.validation, s.now),
    name: old.name,
    profile: old.profile,
    kind: s.kind,
    source: "manual",
    organization: old.organization,
    status: old.status,
    monthlyBudgetUsd: old.monthlyBudgetUsd,
    budgetMode: old.budgetMode,
    rotatedFromId: old.id,
  });
}

interface Swap {
  input: RotateInput;
  profile: string;
  graceMs: number;
  fingerprint: string;
  old: KeyRecord;
  created: KeyRecord;
  now: Date;
}

interface OwedDeactivation {
  plan: UpstreamPlan;
  rowId: number | null;
  dueAt: Date | null;
}

type Committed =
  | { same: KeyRecord; current: KeyRecord }
  | ({ same: null; wasActive: boolean } & OwedDeactivation);

/** The one transaction of a rotation: re-check under the write lock, swap the rows, owe the deactivation, audit. */
async function swapInTransaction(vault: Session, tx: Store, s: Swap): Promise<Committed> {
  const { old, created, profile } = s;
  // Re-read under the write lock: another process may have rotated or changed the key meanwhile.
  const current = await findLive(tx, s.input.name, profile);
  const again = await decide(tx, current, s.fingerprint, created.kind);
  if (again.kind === "same") return { same: again.predecessor, current };
  if (current.id !== old.id) {
    throw new ApikeyError(ERROR_CODES.STORE_BUSY, `${old.name} was changed by another process meanwhile.`, {
      hint: "Run the command again.",
    });
  }
  const wasActive = await swapRows(tx, s);
  const owed = await oweDeactivation(tx, s);
  await vault.auditIn(tx, "key.rotate", created.id, profile, {
    name: old.name,
    oldId: old.id,
    newId: created.id,
    activated: wasActive,
    validation: created.validation,
    graceMs: s.graceMs,
    upstream: owed.plan,
  });
  return { same: null, wasActive, ...owed };
}

/** Retires the old row, inserts the successor and hands it the active slot when the old key held it. */
async function swapRows(tx: Store, { old, created, profile, now }: Swap): Promise<boolean> {
  const p = await tx.profiles.get(profile);
  const wasActive = p?.activeKeyId === old.id;
  // The old row leaves the live name first: (profile, name) is unique among non-rotated keys.
  await tx.keys.update(old.id, { status: "rotated", rotatedToId: created.id, updatedAt: now });
  await tx.keys.insert(created);
  if (wasActive) await tx.profiles.setActiveKey(profile, created.id);
  return wasActive;
}

/** Records the old key's upstream deactivation, due after the grace period, when one is owed. */
async function oweDeactivation(tx: Store, s: Swap): Promise<OwedDeactivation> {
  const { old, profile, now } = s;
  // Only API keys can be switched off through the Admin API; Admin keys and OAuth tokens are the Console's job.
  const admin = old.kind === "api" ? await pickAdminKey(tx, profile) : null;
  const plan = upstreamPlan(old.kind, admin !== null, s.input.deactivateUpstream !== false);
  if (plan === "none") return { plan, rowId: null, dueAt: null };
  const dueAt = new Date(now.getTime() + s.graceMs);
  const rowId = await tx.deactivations.add({
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
  return { plan, rowId, dueAt };
}

function rotatedResult(
  old: KeyRecord,
  created: KeyRecord,
  validation: ValidationResult | null,
  committed: { wasActive: boolean } & OwedDeactivation,
): RotateResult {
  return {
    changed: true,
    old: toView({ ...old, status: "rotated", rotatedToId: created.id }, null),
    new: toView(created, committed.wasActive ? created.id : null),
    validation,
    deactivation: {
      plan: committed.plan,
      id: committed.rowId,
      dueAt: committed.dueAt?.toISOString() ?? null,
      outcome: null,
      reason: committed.plan === "manual" ? NO_ADMIN_KEY_REASON : null,
    },
  };
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
