import { freshActiveSecret } from "../active/active-key.ts";
import { type ExportOptions, exportBundle, type ImportBundleOptions, importBundle } from "../bundle/index.ts";
import type { ImportOptions } from "../bundle/run-import.ts";
import { type Config, loadConfig } from "../config.ts";
import { addFederatedKey } from "../federation/add.ts";
import type { UserOAuthProfile } from "../federation/anthropic-profiles.ts";
import type { FederatedPreflight } from "../federation/preflight.ts";
import type { SourceScan } from "../import-sources/candidates.ts";
import { type ImportSource, importScanned } from "../import-sources/import-from-source.ts";
import { recogniseKey } from "../key-format.ts";
import { addSlot, listSlots, removeSlot } from "../master-key/slots.ts";
import type { MasterKeySource } from "../master-key/source.ts";
import type { LoginOptions } from "../oauth/login.ts";
import { addProvider, listProviders, type ProviderInput, removeProvider } from "../oauth/providers.ts";
import { resolveAll, resolveReference } from "../references/resolve.ts";
import { type RekeyInput, rekeyStore } from "../rekey/rekey.ts";
import { type FinishOptions, finishDeactivations } from "../rotation/deactivate.ts";
import { dueForRotation } from "../rotation/flags.ts";
import { owedDeactivations } from "../rotation/owed.ts";
import { type RotateInput, rotateKey } from "../rotation/rotate.ts";
import { setMaxAgeDays } from "../rotation/settings.ts";
import { findBySecret } from "../scan/find-by-secret.ts";
import type { Store } from "../store.ts";
import { type CreateTokenInput, createToken, listTokens, revokeToken, rotateToken } from "../tokens/admin.ts";
import { clearBudget, type SetBudgetInput, setBudget } from "../usage/budget-admin.ts";
import { journalDirIn } from "../usage/journal/names.ts";
import { foldLeftJournals } from "../usage/journal/settle.ts";
import { type UsageReportOptions, usageReport } from "../usage/report.ts";
import { type ReportWindow, windowSince } from "../usage/window.ts";
import type { FindingsOptions } from "../usage-sync/findings/kinds.ts";
import { sideBySide } from "../usage-sync/side-by-side.ts";
import type { SyncOptions } from "../usage-sync/sync.ts";
import type { Validator } from "../validate/anthropic.ts";
import { auditRefusal, type RefusalInput } from "../vault/refusal-audit.ts";
import { type AddKeyInput, Vault } from "../vault/vault.ts";

import { listKeyItems, listKeysAndProfiles } from "../views/key-list.ts";
import { batchedClaims } from "./claim-batch.ts";
import { meteringFor } from "./metering.ts";

export interface AddFederatedInput extends FederatedPreflight {
  name: string;
  profile?: string;
}

// The one way a front opens the store and calls the use cases. A front brings a Store (from one of
// @apikey/storage's entries), the master keys it can offer, and who is acting; it gets back plain functions
// grouped by what a person does. No front touches the Store or the data key directly.

export type Front = "cli" | "slack" | "raycast" | "api";

export { totalsOf } from "../usage/report.ts";
// The views fronts render, published with the app so no front redeclares them (views/index.ts).
export type * from "../views/index.ts";

export interface OpenApikeyOptions {
  store: Store;
  /** Tried against the store's master-key slots; the first that can also creates a new store's first slot. */
  masterKeys: MasterKeySource[];
  /** Who acts, for the audit log: `cli:<user>@<host>`, `slack:<team>/<user>`, `raycast:<user>`. */
  actor: string;
  front: Front;
  /**
   * Settings; defaults from loadConfig({}) (no environment read). A front that names its `dataDir` here also has
   * the usage journals dead gateways left there folded before it reads usage or budgets (usage/journal).
   */
  config?: Partial<Config>;
  validator?: Validator;
  now?: () => Date;
  onWarning?: (message: string) => void;
}

export type Apikey = ReturnType<typeof openApikey>;

export function openApikey(options: OpenApikeyOptions) {
  const config: Config = { ...loadConfig({}), ...options.config };
  const vault = new Vault({
    store: options.store,
    config,
    actor: options.actor,
    front: options.front,
    masterKeys: options.masterKeys,
    ...(options.validator && { validator: options.validator }),
    ...(options.now && { now: options.now }),
    ...(options.onWarning && { onWarning: options.onWarning }),
  });
  const now = () => vault.now();
  const journals = options.config?.dataDir === undefined ? null : journalDirIn(config.dataDir);
  /** Runs `read` once every event a dead gateway journaled is in the store: one readdir when there is none. */
  const folded = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      await foldLeftJournals(options.store, journals, now);
    } catch (err) {
      // The read still answers, from what the store holds; the journal stays for the next reader or gateway.
      const code = (err as { code?: unknown }).code;
      vault.warn(
        `Usage a stopped gateway left in its journal is not counted yet (${String(code ?? "error")}).`,
      );
    }
    return read();
  };
  const referenceResolver = {
    get: (name: string, profile: string) => vault.get(name, profile),
    reveal: (name: string, profile: string, reason: string) => vault.reveal(name, profile, reason),
    active: (profile: string) => freshActiveSecret(vault, profile),
  };

  return {
    keys: {
      /** Every key (or one profile's) as fronts list it: views/key-list.ts. */
      list: (filter: { profile?: string } = {}) => folded(() => listKeyItems(vault, filter)),
      /** Every key and every profile (as `profiles.list` gives them) from one read of the keys. */
      listWithProfiles: () => folded(() => listKeysAndProfiles(vault)),
      get: (name: string, profile?: string) => vault.get(name, profile),
      add: (input: AddKeyInput) => vault.add(input),
      /** A Workload Identity Federation key, checked first by preflightFederated (federation/preflight.ts). */
      addFederated: (input: AddFederatedInput) => addFederatedKey(vault, input),
      /** A `user_oauth` SDK profile's tokens as an OAuth key (federation/import-user-oauth.ts). */
      importUserOAuth: async (input: { name: string; profile?: string; found: UserOAuthProfile }) =>
        (await import("../federation/import-user-oauth.ts")).importUserOAuth(vault, input),
      /** Deletes the plaintext credentials file an import made redundant (audited). Only when the person asked. */
      removePlaintextCredentials: async (keyId: string, profile: string, path: string) =>
        (await import("../federation/import-user-oauth.ts")).removePlaintextCredentials(
          vault,
          keyId,
          profile,
          path,
        ),
      /** Stores the environment's ANTHROPIC_API_KEY (config.envApiKey) under a name. */
      addFromEnv: (name: string, options: { profile?: string; validate?: boolean } = {}) =>
        vault.addFromEnv(name, options),
      use: (name: string, profile?: string) => vault.use(name, profile),
      /** `use`, then the official SDKs' `active_config` points at the key's SDK profile (opt-in; audited). */
      useWithSdkProfile: async (name: string, profile: string, configDir: string) =>
        (await import("../federation/sdk-active-profile.ts")).useWithSdkProfile(
          vault,
          name,
          profile,
          configDir,
        ),
      rename: (name: string, newName: string, profile?: string) => vault.rename(name, newName, profile),
      disable: (name: string, profile?: string) => vault.disable(name, profile),
      enable: (name: string, profile?: string) => vault.enable(name, profile),
      delete: (name: string, profile?: string) => vault.delete(name, profile),
      validate: (name: string, profile?: string) => vault.validate(name, profile),
      /** The stored key whose secret this is (a key found in a file), or null; compares fingerprints, reveals nothing. */
      findBySecret: (secret: string) => findBySecret(vault, secret),
      /** Asks the API whether a secret (not necessarily stored, e.g. one found in a file) still works. */
      validateSecret: (secret: string) => {
        const { kind, secret: trimmed } = recogniseKey(secret);
        return vault.validateSecret(trimmed, kind);
      },
      /** The secret itself (audited). For copy actions; never for display. */
      reveal: (name: string, profile?: string, reason?: string) => vault.reveal(name, profile, reason),
      rotate: (input: RotateInput) => rotateKey(vault, input),
      /** Runs owed upstream deactivations that are due (what a scheduler calls after the grace period). */
      finishDeactivations: (opts: FinishOptions = {}) => finishDeactivations(vault, opts),
      refresh: async (name: string, profile?: string) =>
        (await import("../oauth/refresh.ts")).ensureFreshToken(vault, name, profile, { force: true }),
      dueForRotation: () => dueForRotation(vault),
      /** Upstream deactivations still owed (pending or needing the person), due or not, oldest due first. */
      owedDeactivations: (filter: { profile?: string } = {}) => owedDeactivations(vault, filter),
    },
    /** The profile's active key and secret, refreshing an OAuth token that is about to expire. */
    active: (profile?: string) => freshActiveSecret(vault, profile),
    /** `apikey://PROFILE/NAME` and `apikey://PROFILE` (its active key), resolved through reveal/active (audited). */
    references: {
      resolve: (value: string) => resolveReference(referenceResolver, value),
      /** Each distinct reference's secret; the first that fails stops the rest. */
      resolveAll: (values: readonly string[]) => resolveAll(referenceResolver, values),
    },
    profiles: {
      list: () => vault.listProfiles(),
      create: (name: string) => vault.createProfile(name),
      delete: (name: string) => vault.deleteProfile(name),
      /** Marks a profile's keys as meant for the gateway only (or clears it): other use of them is a finding. */
      setGatewayOnly: async (name: string, on: boolean) =>
        (await import("../usage-sync/gateway-only.ts")).setGatewayOnly(vault, name, on),
    },
    usage: {
      report: (opts: UsageReportOptions) => folded(() => usageReport(options.store, opts, now())),
      setBudget: (input: SetBudgetInput) => setBudget(vault, input),
      clearBudget: (name: string, profile?: string) => clearBudget(vault, name, profile),
      /** Fetches Anthropic's usage report since the last sync, per organization an Admin key reaches (issue 24). */
      // Loaded when called (zod checks the report's pages): not on every start of a front (issue 25).
      sync: async (opts: SyncOptions = {}) =>
        (await import("../usage-sync/sync.ts")).syncReportedUsage(vault, opts),
      /**
       * Recorded and reported usage per key over a window (from a date, or the last N days as `report` takes
       * them); [] when nothing was reported in it.
       */
      reported: (window: ReportWindow) =>
        folded(() =>
          sideBySide(options.store, {
            since: windowSince(window, now()),
            ...(window.until && { until: window.until }),
          }),
        ),
      /**
       * Per organization whose cost report was synced (`sync({ cost: true })`): its billed total over the window's
       * days beside our price table's estimate of the usage it reported. Priority tier is never in the bill.
       */
      costs: async (window: ReportWindow) =>
        (await import("../usage-sync/cost-store.ts")).storedCosts(options.store, {
          since: windowSince(window, now()),
          ...(window.until && { until: window.until }),
        }),
      /** What reported usage says that apikey's record cannot (issue 24): read from the store, no network. */
      // Loaded when called, as sync is: it reads stored JSON through zod (issue 25).
      findings: (opts: FindingsOptions = {}) =>
        folded(async () =>
          (await import("../usage-sync/findings/read.ts")).usageFindings(options.store, now(), opts),
        ),
    },
    /** Gateway tokens per person or app: each shown once at creation, stored only as a keyed hash. */
    tokens: {
      list: (opts: { includeRevoked?: boolean } = {}) => listTokens(vault, opts),
      create: (input: CreateTokenInput) => createToken(vault, input),
      revoke: (name: string) => revokeToken(vault, name),
      rotate: (name: string) => rotateToken(vault, name),
    },
    audit: (filter: { limit?: number; keyId?: string; since?: Date } = {}) => vault.audit(filter),
    /** Records a refused request (not authorized, a key pasted where it does not belong). Never pass a secret. */
    auditRefusal: (input: RefusalInput) => auditRefusal(vault, input),
    slots: {
      list: () => listSlots(vault),
      add: (input: { name?: string; source: MasterKeySource }) => addSlot(vault, input),
      remove: (name: string) => removeSlot(vault, name),
    },
    bundles: {
      export: (opts: ExportOptions) => exportBundle(vault, opts),
      import: (opts: ImportBundleOptions) => importBundle(vault, opts),
    },
    /** Keys found in another tool's files (see @apikey/core/import-sources `scanSource`), stored as one batch. */
    importScanned: (scan: SourceScan, opts: ImportOptions & { from: ImportSource; profile?: string }) =>
      importScanned(vault, scan, opts),
    oauth: {
      addProvider: (input: ProviderInput) => addProvider(vault, input),
      listProviders: () => listProviders(vault),
      removeProvider: (name: string) => removeProvider(vault, name),
      /** Starts an authorization-code + PKCE login; the session finishes with the redirect or a pasted answer. */
      // Loaded when called (the OAuth library, zod for the minted key's answer): not on every start (issue 25).
      login: async (opts: LoginOptions) => (await import("../oauth/login.ts")).startLogin(vault, opts),
    },
    settings: {
      /** Keys older than this are flagged for rotation in every front (0 = off). */
      setMaxAgeDays: (days: number) => setMaxAgeDays(vault, days),
    },
    /** Moves the store to another master key: replaces the slot that opened it. */
    rekey: (input: RekeyInput) => rekeyStore(vault, input),
    status: () => vault.status(),
    /** Changes when another process committed to the store: re-read what you cached. */
    dataVersion: () => options.store.dataVersion(),
    /** "Do this once" across every process on the store (a Slack request, a reminder). True for the one winner. */
    claimOnce: batchedClaims(options.store.marks, now),
    forgetClaimsBefore: (before: Date) => options.store.marks.prune(before),
    /** Opens the store's data key now (to fail early with a clear error, e.g. a wrong master key). */
    unlock: async () => {
      await vault.unlock();
    },
    close: () => options.store.close(),
    /** The same store acting as someone else (a server serving many people); closing either closes the store. */
    actingAs: (actor: string) => openApikey({ ...options, actor }),
    /** What the gateway and the instrumented SDK client take: active keys, token hashing, usage; no use case. */
    metering: meteringFor(vault),
  };
}
