import type {
  BudgetState,
  KeyListItem,
  SideBySideTotals,
  StatusReport,
  UpstreamPlan,
  UsageReport,
  ValidationOutcome,
} from "../../vendor/core/index.ts";

// What the commands show and do. Every key, profile and usage figure is the core's own view (imported from the app,
// never redeclared, so every judgement in it is core's); this file only picks the parts the commands use and says
// how the extension groups them. `service.ts` fills it from the core's use cases.

export type { BudgetState, ValidationOutcome };
export type KeyStatus = KeyListItem["status"];

/** A key as a list row shows it: core's listing item, the fields the commands use. Never a secret; safe to cache. */
export type KeyItem = Pick<
  KeyListItem,
  | "id"
  | "name"
  | "profile"
  | "kind"
  | "status"
  | "active"
  | "masked"
  | "lastUsedAt"
  | "validation"
  | "rotationDue"
  | "spendMonthUsd"
  | "budgetUsd"
  | "budgetState"
  | "canDeactivateUpstream"
  | "upstreamOnRotate"
  | "cannotRotate"
>;

/** What a switch or an add reports about the key it touched. */
export type KeyRef = Pick<KeyListItem, "id" | "name" | "profile" | "masked" | "active">;

export type ProfileItem = StatusReport["profiles"][number];

/** Everything the Switch and menu-bar commands paint from: metadata only. */
export interface KeysSnapshot {
  profiles: ProfileItem[];
  keys: KeyItem[];
}

export interface AddInput {
  name: string;
  profile: string;
  /** Create `profile` first when it does not exist yet (core does, in the key's own transaction). */
  createProfile: boolean;
  secret: string;
}

export interface AddOutcome {
  key: KeyRef;
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
  deactivation: { plan: UpstreamPlan; dueAt: string | null; reason: string | null };
}

/** One line of a usage table: core's summed figures (every counter), under the label the extension shows. */
export type UsageRow = UsageReport["totals"] & { label: string };

/** One key's line of the side-by-side table: core's figures for it, under the label the extension shows. */
export interface ReportedLine {
  label: string;
  /** null: apikey recorded nothing for it (a key used through exec, env or apiKeyHelper). */
  recordedUsd: number | null;
  recordedTokens: number | null;
  /** null: Anthropic reported nothing for it in the window. */
  reportedUsd: number | null;
  reportedTokens: number | null;
  notRecordedUsd: number;
}

export interface UsageSummary {
  days: 7 | 30;
  since: string;
  daily: UsageReport["daily"];
  byModel: UsageRow[];
  byKey: UsageRow[];
  /** Per gateway token (`apikey proxy token`); empty when no request came through the gateway with one. */
  byToken: UsageRow[];
  totals: UsageReport["totals"];
  /** What Anthropic reported beside what apikey recorded (`apikey usage sync`); null when nothing was reported. */
  reported: { lines: ReportedLine[]; totals: SideBySideTotals } | null;
  /** What the usage Anthropic reports says needs a person (`apikey usage check`), one core sentence each. */
  findings: string[];
  budgets: Array<{ key: string; profile: string; spentUsd: number; budgetUsd: number; state: BudgetState }>;
}

/** The use cases the commands call. One instance per command run; `close()` releases the store. */
export interface ApikeyService {
  snapshot(): Promise<KeysSnapshot>;
  use(name: string, profile: string): Promise<KeyRef>;
  /** For Copy and Paste only: never cached, never logged. */
  secret(name: string, profile: string, reason: "copy" | "paste"): Promise<string>;
  activeSecret(profile: string): Promise<{ name: string; secret: string }>;
  add(input: AddInput): Promise<AddOutcome>;
  validate(name: string, profile: string): Promise<{ outcome: ValidationOutcome; message: string }>;
  rotate(input: RotateInput): Promise<RotateOutcome>;
  rename(name: string, newName: string, profile: string): Promise<void>;
  setEnabled(name: string, profile: string, enabled: boolean): Promise<void>;
  remove(name: string, profile: string): Promise<void>;
  usage(days: 7 | 30): Promise<UsageSummary>;
  close(): Promise<void>;
}
