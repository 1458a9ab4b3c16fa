// The part of the core's front-facing API (`openApikey` in @apikey/core) that the bot uses, written as the
// bot needs it. The real `Apikey` satisfies it structurally; tests of pure rendering can hand in plain objects.
// Every rule (names, formats, budgets, what rotation owes) is the core's: the bot only passes input through.

export interface KeyRow {
  id: string;
  name: string;
  profile: string;
  kind: "api" | "admin" | "oauth";
  status: "active" | "disabled" | "rotated";
  active: boolean;
  masked: string;
  lastUsedAt: string | null;
  validation: string | null;
  readOnly?: boolean;
  rotationDue?: boolean;
  spendMonthUsd?: number | null;
  budgetUsd?: number | null;
  budgetMode?: "warn" | "block";
}

export interface Validation {
  outcome: string;
  message: string;
}

export interface RotateOutcome {
  changed: boolean;
  old: KeyRow;
  new: KeyRow;
  validation: Validation | null;
  deactivation: {
    plan: "pending" | "manual" | "none";
    dueAt: string | null;
    outcome: { state: string; error: string | null } | null;
    reason: string | null;
  };
}

export interface DeactivationRow {
  id: number;
  keyName: string | null;
  profile: string;
  state: string;
  error: string | null;
}

export interface UsageRow {
  group: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface AuditRow {
  at: Date | string;
  actor: string;
  front: string;
  action: string;
  profile: string | null;
  details: Record<string, unknown>;
}

export interface CorePort {
  keys: {
    list(opts?: { profile?: string }): Promise<KeyRow[]>;
    add(input: {
      name: string;
      secret: string;
      profile?: string;
      validate?: boolean;
    }): Promise<{ key: KeyRow; validation: Validation | null }>;
    use(name: string, profile?: string): Promise<unknown>;
    rename(name: string, newName: string, profile?: string): Promise<unknown>;
    disable(name: string, profile?: string): Promise<unknown>;
    enable(name: string, profile?: string): Promise<unknown>;
    delete(name: string, profile?: string): Promise<unknown>;
    validate(name: string, profile?: string): Promise<{ validation: Validation }>;
    rotate(input: {
      name: string;
      newSecret: string;
      profile?: string;
      graceMs?: number;
      validate?: boolean;
      deactivateUpstream?: boolean;
    }): Promise<RotateOutcome>;
    finishDeactivations(opts?: { profile?: string; name?: string; now?: Date }): Promise<DeactivationRow[]>;
    dueForRotation(): Promise<{ maxAgeDays: number; keys: string[] }>;
    /** Owed upstream deactivations, due or not (status and the Home tab); absent until the core offers it. */
    owedDeactivations?(): Promise<DeactivationRow[]>;
  };
  profiles: {
    create(name: string): Promise<void>;
  };
  /** Gateway tokens, for usage by token (names and the profile each is bound to; never the tokens). */
  tokens: {
    list(opts?: {
      includeRevoked?: boolean;
    }): Promise<Array<{ id: string; name: string; profile: string | null; revokedAt: Date | null }>>;
  };
  usage: {
    report(opts: {
      since: Date;
      until?: Date;
      by: "day" | "model" | "key" | "token";
      keyId?: string;
    }): Promise<{ rows: UsageRow[]; totals: Omit<UsageRow, "group"> }>;
    setBudget(input: {
      name: string;
      profile?: string;
      usd: number;
      mode?: "warn" | "block";
    }): Promise<unknown>;
    clearBudget(name: string, profile?: string): Promise<unknown>;
  };
  audit(opts?: { limit?: number; keyId?: string; since?: Date }): Promise<AuditRow[]>;
  claimOnce(name: string): Promise<boolean>;
  forgetClaimsBefore(before: Date): Promise<number>;
  /** Audits a refused request (not authorized, a key in a text field); absent until the core offers it. */
  auditRefusal?(input: { action: string; profile?: string; reason: string }): Promise<void>;
}

/** Who the core records for a mutation: `slack:<team>/<user>`, with the display name when known. */
export interface SlackActorInfo {
  teamId: string | undefined;
  userId: string;
  displayName?: string | undefined;
}

/** The core as one person: every mutation it makes is audited under that person, front `slack`. */
export type CoreFor = (actor: SlackActorInfo) => CorePort;
