// What the commands show and do, in the extension's own terms. The UI depends on this file only; `service.ts` fills
// it from the core's use cases, so a change in the core touches one module.

export type KeyStatus = "active" | "disabled" | "rotated";
export type BudgetState = "none" | "ok" | "warn" | "over";

/** A key as a list row shows it. Never carries the secret; safe to cache. */
export interface KeyItem {
  id: string;
  name: string;
  profile: string;
  kind: "api" | "admin" | "oauth";
  status: KeyStatus;
  active: boolean;
  /** e.g. `sk-ant-api03-…wxyz` */
  masked: string;
  lastUsedAt: string | null;
  validation: string | null;
  rotationDue: boolean;
  spendMonthUsd: number | null;
  budgetUsd: number | null;
  budgetState: BudgetState;
}

export interface ProfileItem {
  name: string;
  activeKey: string | null;
  keyCount: number;
}

/** Everything the Switch and menu-bar commands paint from: metadata only. */
export interface KeysSnapshot {
  profiles: ProfileItem[];
  keys: KeyItem[];
}

export type ValidationOutcome = "valid" | "invalid" | "forbidden" | "rate_limited" | "billing" | "unverified";

export interface AddInput {
  name: string;
  profile: string;
  /** Create `profile` first when it does not exist yet. */
  createProfile: boolean;
  secret: string;
}

export interface AddOutcome {
  key: KeyItem;
  validation: ValidationOutcome | null;
  validationMessage: string | null;
}

export interface RotateInput {
  name: string;
  profile: string;
  newSecret: string;
  graceMinutes: number;
}

export interface RotateOutcome {
  changed: boolean;
  name: string;
  profile: string;
  oldMasked: string;
  newMasked: string;
  validation: ValidationOutcome | null;
  /** `pending`: deactivated upstream after the grace period; `manual`: no Admin key; `none`: nothing owed. */
  deactivation: { plan: "pending" | "manual" | "none"; dueAt: string | null; reason: string | null };
}

export interface UsageRow {
  label: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface UsageSummary {
  days: 7 | 30;
  since: string;
  daily: Array<{ day: string; costUsd: number }>;
  byModel: UsageRow[];
  byKey: UsageRow[];
  /** Per gateway token (`apikey proxy token`); empty when no request came through the gateway with one. */
  byToken: UsageRow[];
  totals: { requests: number; inputTokens: number; outputTokens: number; costUsd: number; unpricedRequests: number };
  budgets: Array<{ key: string; profile: string; spentUsd: number; budgetUsd: number; state: BudgetState }>;
}

/** The use cases the commands call. One instance per command run; `close()` releases the store. */
export interface ApikeyService {
  snapshot(): Promise<KeysSnapshot>;
  use(name: string, profile: string): Promise<KeyItem>;
  /** For Copy and Paste only: never cached, never logged. */
  secret(name: string, profile: string, reason: "copy" | "paste"): Promise<string>;
  activeSecret(profile: string): Promise<{ name: string; secret: string }>;
  add(input: AddInput): Promise<AddOutcome>;
  validate(name: string, profile: string): Promise<{ outcome: ValidationOutcome; message: string }>;
  rotate(input: RotateInput): Promise<RotateOutcome>;
  rename(name: string, newName: string, profile: string): Promise<void>;
  setEnabled(name: string, profile: string, enabled: boolean): Promise<void>;
  remove(name: string, profile: string): Promise<void>;
  hasAdminKey(): Promise<boolean>;
  usage(days: 7 | 30): Promise<UsageSummary>;
  close(): Promise<void>;
}
