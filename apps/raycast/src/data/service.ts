import { userInfo } from "node:os";
import {
  describeFinding,
  type KeyListItem,
  type KeyView,
  notRecordedUsd,
  type SideBySideRow,
  shownTokens,
  sideBySideTotals,
  subjectOf,
  totalsOf,
  type UsageReport,
} from "../../vendor/core/index.ts";
import { openExisting, type Preferences } from "./open-store.ts";
import type {
  AddOutcome,
  ApikeyService,
  KeyItem,
  KeyRef,
  KeysSnapshot,
  ReportedLine,
  RotateOutcome,
  UsageRow,
  UsageSummary,
} from "./types.ts";

export interface ServiceOptions {
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
  /** See OpenOptions.unlock. */
  unlock?: boolean;
}

let actor: string | undefined;

/** `raycast:<os user>`, the actor of every audit entry this extension writes. */
export function raycastActor(): string {
  // Asked once a process: each action opens the store anew, and the passwd lookup was a fortieth of a list's time.
  if (actor !== undefined) return actor;
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): still audited, just without a name.
  }
  actor = `raycast:${user}`;
  return actor;
}

/** The list row's fields of core's listing item (what the cache keeps: metadata only). */
function item(k: KeyListItem): KeyItem {
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
    rotationDue: k.rotationDue,
    spendMonthUsd: k.spendMonthUsd,
    budgetUsd: k.budgetUsd,
    budgetState: k.budgetState,
    canDeactivateUpstream: k.canDeactivateUpstream,
    upstreamOnRotate: k.upstreamOnRotate,
    cannotRotate: k.cannotRotate,
  };
}

/** A side-by-side row as a table line: core's figures, labelled in the extension's words. */
function reportedLine(r: SideBySideRow, names: ReadonlyMap<string, string>): ReportedLine {
  const subject = subjectOf(r);
  const label =
    subject.kind === "key"
      ? (names.get(subject.keyId) ?? "(deleted key)")
      : subject.kind === "workbench"
        ? "(Console Workbench)"
        : `(not in the store: ${subject.orgKeyIds.join(", ")})`;
  return {
    label,
    recordedUsd: r.recorded?.costUsd ?? null,
    recordedTokens: shownTokens(r.recorded),
    reportedUsd: r.reported?.costUsd ?? null,
    reportedTokens: shownTokens(r.reported),
    notRecordedUsd: notRecordedUsd(r),
  };
}

const ref = (k: KeyView): KeyRef => ({
  id: k.id,
  name: k.name,
  profile: k.profile,
  masked: k.masked,
  active: k.active,
});

/** The commands' vocabulary over the core's front API (`openApikey`): every call one core use case. */
export async function openService(prefs: Preferences, options: ServiceOptions = {}): Promise<ApikeyService> {
  const app = await openExisting(prefs, { actor: raycastActor(), ...options });

  return {
    async snapshot(): Promise<KeysSnapshot> {
      // One read of the key rows for both (reading them per question was most of the list's time: issue 25).
      const { keys: all, profiles: profileRows } = await app.keys.listWithProfiles();
      const keys = all.filter((k) => k.status !== "rotated").map(item);
      return {
        keys,
        profiles: profileRows.map((p) => ({ name: p.name, activeKey: p.activeKey, keyCount: p.keyCount })),
      };
    },
    async use(name, profile) {
      return ref(await app.keys.use(name, profile));
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
      const { key, validation } = await app.keys.add({
        name: input.name,
        profile: input.profile,
        secret: input.secret,
        createProfile: input.createProfile,
      });
      return {
        key: ref(key),
        validation: validation?.outcome ?? null,
        validationMessage: validation?.message ?? null,
      };
    },
    async validate(name, profile) {
      const { validation } = await app.keys.validate(name, profile);
      return { outcome: validation.outcome, message: validation.message };
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
        validation: result.validation?.outcome ?? null,
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
    async usage(days): Promise<UsageSummary> {
      // Core's "last N days" (whole UTC days, today included), the same window as the CLI's `--since Nd`.
      const [byModel, byKey, byToken, keys, tokens, sideBySide, checked] = await Promise.all([
        app.usage.report({ lastDays: days, by: "model" }),
        app.usage.report({ lastDays: days, by: "key" }),
        app.usage.report({ lastDays: days, by: "token" }),
        app.keys.list(),
        app.tokens.list({ includeRevoked: true }),
        app.usage.reported({ lastDays: days }),
        app.usage.findings(),
      ]);
      const tokenNames = new Map(tokens.map((t) => [t.id, t.revokedAt ? `${t.name} (revoked)` : t.name]));
      const names = new Map(keys.map((k) => [k.id, `${k.profile}/${k.name}`]));
      // A key apikey no longer uses but Anthropic still reports spend on says so.
      const keyLabels = new Map(
        keys.map((k) => [k.id, `${k.profile}/${k.name}${k.status === "active" ? "" : ` (${k.status})`}`]),
      );
      // A row's figures are every summed field of it (core's usage vocabulary), under the extension's label.
      const row = (label: string, r: UsageReport["rows"][number]): UsageRow => ({ label, ...totalsOf([r]) });
      return {
        days,
        since: byModel.since.toISOString(),
        daily: byModel.daily,
        byModel: byModel.rows.map((r) => row(r.group, r)),
        byKey: byKey.rows.map((r) => row(names.get(r.group) ?? "(deleted key)", r)),
        // Only when the gateway was used with tokens: "" groups the requests that came without one.
        byToken: byToken.rows.some((r) => r.group !== "")
          ? byToken.rows.map((r) => row(r.group === "" ? "(no token)" : (tokenNames.get(r.group) ?? r.group), r))
          : [],
        totals: byModel.totals,
        reported:
          sideBySide.length === 0
            ? null
            : {
                lines: sideBySide.map((r) => reportedLine(r, keyLabels)),
                totals: sideBySideTotals(sideBySide),
              },
        findings: checked.findings.map(describeFinding),
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
