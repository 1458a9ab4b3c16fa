import { userInfo } from "node:os";
import type { KeyView } from "../../vendor/core/index.ts";
import { openExisting, type Preferences } from "./open-store.ts";
import type {
  AddOutcome,
  ApikeyService,
  KeyItem,
  KeysSnapshot,
  RotateOutcome,
  UsageRow,
  UsageSummary,
  ValidationOutcome,
} from "./types.ts";

export interface ServiceOptions {
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
  /** See OpenOptions.unlock. */
  unlock?: boolean;
}

/** `raycast:<os user>`, the actor of every audit entry this extension writes. */
export function raycastActor(): string {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): still audited, just without a name.
  }
  return `raycast:${user}`;
}

const DAY_MS = 86_400_000;

type ListedKey = KeyView & Partial<Pick<KeyItem, "rotationDue" | "spendMonthUsd" | "budgetUsd" | "budgetState">>;

function item(k: ListedKey): KeyItem {
  return {
    id: k.id,
    name: k.name,
    profile: k.profile,
    kind: k.kind,
    status: k.status,
    active: k.active,
    masked: k.masked,
    lastUsedAt: k.lastUsedAt,
    validation: k.validation,
    rotationDue: k.rotationDue ?? false,
    spendMonthUsd: k.spendMonthUsd ?? null,
    budgetUsd: k.budgetUsd ?? null,
    budgetState: k.budgetState ?? "none",
  };
}

/** The commands' vocabulary over the core's front API (`openApikey`): every call one core use case. */
export async function openService(prefs: Preferences, options: ServiceOptions = {}): Promise<ApikeyService> {
  const app = await openExisting(prefs, { actor: raycastActor(), ...options });
  const live = async () => (await app.keys.list()).filter((k) => k.status !== "rotated");

  return {
    async snapshot(): Promise<KeysSnapshot> {
      const [listed, profileRows] = await Promise.all([live(), app.profiles.list()]);
      const keys = listed.map(item);
      return {
        keys,
        profiles: profileRows.map((p) => ({ name: p.name, activeKey: p.activeKey, keyCount: p.keyCount })),
      };
    },
    async use(name, profile) {
      return item(await app.keys.use(name, profile));
    },
    secret(name, profile, reason) {
      return app.keys.reveal(name, profile, reason);
    },
    async activeSecret(profile) {
      // `active` checks the key is usable (and refreshes an OAuth token); the reveal audits the copy like Copy Key.
      const { key } = await app.active(profile);
      return { name: key.name, secret: await app.keys.reveal(key.name, profile, "copy") };
    },
    async add(input): Promise<AddOutcome> {
      if (input.createProfile && !(await app.profiles.list()).some((p) => p.name === input.profile)) {
        await app.profiles.create(input.profile);
      }
      const { key, validation } = await app.keys.add({
        name: input.name,
        profile: input.profile,
        secret: input.secret,
      });
      return {
        key: item(key),
        validation: (validation?.outcome as ValidationOutcome | undefined) ?? null,
        validationMessage: validation?.message ?? null,
      };
    },
    async validate(name, profile) {
      const { validation } = await app.keys.validate(name, profile);
      return { outcome: validation.outcome as ValidationOutcome, message: validation.message };
    },
    async rotate(input): Promise<RotateOutcome> {
      const result = await app.keys.rotate({
        name: input.name,
        profile: input.profile,
        newSecret: input.newSecret,
        graceMs: input.graceMinutes * 60_000,
      });
      return {
        changed: result.changed,
        name: result.new.name,
        profile: result.new.profile,
        oldMasked: result.old.masked,
        newMasked: result.new.masked,
        validation: (result.validation?.outcome as ValidationOutcome | undefined) ?? null,
        deactivation: {
          plan: result.deactivation.plan,
          dueAt: result.deactivation.dueAt,
          reason: result.deactivation.reason,
        },
      };
    },
    async rename(name, newName, profile) {
      await app.keys.rename(name, newName, profile);
    },
    async setEnabled(name, profile, enabled) {
      await (enabled ? app.keys.enable(name, profile) : app.keys.disable(name, profile));
    },
    async remove(name, profile) {
      await app.keys.delete(name, profile);
    },
    async hasAdminKey() {
      return (await live()).some((k) => k.kind === "admin" && k.status === "active");
    },
    async usage(days): Promise<UsageSummary> {
      const now = options.now?.() ?? new Date();
      const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * DAY_MS);
      const [byModel, byKey, byToken, keys, tokens] = await Promise.all([
        app.usage.report({ since, by: "model" }),
        app.usage.report({ since, by: "key" }),
        app.usage.report({ since, by: "token" }),
        app.keys.list(),
        app.tokens.list({ includeRevoked: true }),
      ]);
      const tokenNames = new Map(tokens.map((t) => [t.id, t.revokedAt ? `${t.name} (revoked)` : t.name]));
      const names = new Map(keys.map((k) => [k.id, `${k.profile}/${k.name}`]));
      const row = (label: string, r: (typeof byModel.rows)[number]): UsageRow => ({
        label,
        requests: r.requests,
        inputTokens: r.inputTokens,
        outputTokens: r.outputTokens,
        costUsd: r.costUsd,
      });
      return {
        days,
        since: since.toISOString(),
        daily: byModel.daily,
        byModel: byModel.rows.map((r) => row(r.group, r)),
        byKey: byKey.rows.map((r) => row(names.get(r.group) ?? "(deleted key)", r)),
        // Only when the gateway was used with tokens: "" groups the requests that came without one.
        byToken: byToken.rows.some((r) => r.group !== "")
          ? byToken.rows.map((r) => row(r.group === "" ? "(no token)" : (tokenNames.get(r.group) ?? r.group), r))
          : [],
        totals: {
          requests: byModel.totals.requests,
          inputTokens: byModel.totals.inputTokens,
          outputTokens: byModel.totals.outputTokens,
          costUsd: byModel.totals.costUsd,
          unpricedRequests: byModel.totals.unpricedRequests,
        },
        budgets: keys
          .filter((k) => k.budgetUsd !== null && k.status !== "rotated")
          .map((k) => ({
            key: k.name,
            profile: k.profile,
            spentUsd: k.spendMonthUsd ?? 0,
            budgetUsd: k.budgetUsd as number,
            state: k.budgetState,
          })),
      };
    },
    close() {
      return app.close();
    },
  };
}
