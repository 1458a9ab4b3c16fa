import { userInfo } from "node:os";
import { type KeyView, Vault } from "@apikey/core";
import { listWithRotationDue, pickAdminKey, rotateKey } from "@apikey/core/rotation";
import { monthToDate, usageReport, withMonthSpend } from "@apikey/core/usage";
import { configFrom, openExistingStore, type Preferences } from "./open-store.ts";
import type {
  AddInput,
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
  /** Tests inject a clock; the commands use the real one. */
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
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

/** Opens the store the preferences point at and maps the core's use cases onto the commands' vocabulary. */
export async function openService(prefs: Preferences, options: ServiceOptions = {}): Promise<ApikeyService> {
  const config = configFrom(prefs, options.env);
  // The environment's ANTHROPIC_API_KEY is a CLI convenience; Raycast lists only stored keys.
  const store = await openExistingStore({ ...config, envApiKey: undefined });
  const vault = new Vault({
    store,
    config: { ...config, envApiKey: undefined },
    actor: raycastActor(),
    front: "raycast",
    ...(options.now ? { now: options.now } : {}),
  });
  try {
    // Unwrapping the data key now (one AES-GCM open, no network) turns a wrong or missing master key into the
    // "cannot open" view at once, instead of a failure on the first copy.
    await vault.unlock();
  } catch (err) {
    await store.close();
    throw err;
  }
  const item = (k: KeyView & Partial<Omit<KeyItem, keyof KeyView>>): KeyItem => ({
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
  });

  return {
    async snapshot(): Promise<KeysSnapshot> {
      const [listed, profileRows] = await Promise.all([
        listWithRotationDue(vault).then((ks) => withMonthSpend(vault, ks)),
        store.profiles.list(),
      ]);
      const keys = listed.filter((k) => k.status !== "rotated").map(item);
      // Counted from the list already read, instead of a second pass over the store (vault.listProfiles).
      const profiles = profileRows.map((p) => ({
        name: p.name,
        activeKey: keys.find((k) => k.profile === p.name && k.active)?.name ?? null,
        keyCount: keys.filter((k) => k.profile === p.name).length,
      }));
      return { profiles, keys };
    },
    async use(name, profile) {
      return item(await vault.use(name, profile));
    },
    secret(name, profile, reason) {
      return vault.reveal(name, profile, reason);
    },
    async activeSecret(profile) {
      // activeSecret checks the key is usable and marks it used; the reveal audits the copy like Copy Key does.
      const { key } = await vault.activeSecret(profile);
      return { name: key.name, secret: await vault.reveal(key.name, profile, "copy") };
    },
    async add(input: AddInput): Promise<AddOutcome> {
      if (input.createProfile) {
        const existing = await store.profiles.get(input.profile);
        if (!existing) await vault.createProfile(input.profile);
      }
      const { key, validation } = await vault.add({
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
      const { validation } = await vault.validate(name, profile);
      return { outcome: validation.outcome as ValidationOutcome, message: validation.message };
    },
    async rotate(input): Promise<RotateOutcome> {
      const adminKeyPresent = (await pickAdminKey(store, input.profile)) !== null;
      const result = await rotateKey(vault, {
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
        adminKeyPresent,
      };
    },
    async rename(name, newName, profile) {
      await vault.rename(name, newName, profile);
    },
    async setEnabled(name, profile, enabled) {
      await (enabled ? vault.enable(name, profile) : vault.disable(name, profile));
    },
    async remove(name, profile) {
      await vault.delete(name, profile);
    },
    async hasAdminKey() {
      const keys = await store.keys.list();
      return keys.some((k) => k.kind === "admin" && k.status === "active");
    },
    async usage(days): Promise<UsageSummary> {
      const now = vault.now();
      const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * DAY_MS);
      const [byModel, byKey, keys, spend] = await Promise.all([
        usageReport(store, { since, by: "model" }, now),
        usageReport(store, { since, by: "key" }, now),
        store.keys.list(),
        monthToDate(store, now),
      ]);
      const names = new Map(keys.map((k) => [k.id, `${k.profile}/${k.name}`]));
      const row = (label: string, r: (typeof byModel.rows)[number]): UsageRow => ({
        label,
        requests: r.requests,
        inputTokens: r.inputTokens,
        outputTokens: r.outputTokens,
        costUsd: r.costUsd,
      });
      const budgets = (await withMonthSpend(vault, await vault.list()))
        .filter((k) => k.budgetUsd !== null && k.status !== "rotated")
        .map((k) => ({
          key: k.name,
          profile: k.profile,
          spentUsd: spend.get(k.id)?.costUsd ?? 0,
          budgetUsd: k.budgetUsd as number,
          state: k.budgetState,
        }));
      return {
        days,
        since: since.toISOString(),
        daily: byModel.daily,
        byModel: byModel.rows.map((r) => row(r.group, r)),
        byKey: byKey.rows.map((r) => row(names.get(r.group) ?? "(deleted key)", r)),
        totals: {
          requests: byModel.totals.requests,
          inputTokens: byModel.totals.inputTokens,
          outputTokens: byModel.totals.outputTokens,
          costUsd: byModel.totals.costUsd,
          unpricedRequests: byModel.totals.unpricedRequests,
        },
        budgets,
      };
    },
    close() {
      return store.close();
    },
  };
}
