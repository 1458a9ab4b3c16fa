import { randomBytes, randomUUID } from "node:crypto";
import { encryptSecret, fingerprintSecret } from "../crypto/data-key.ts";
import type { KeyRecord } from "../domain.ts";
import { maskKey } from "../key-format.ts";
import type { Store } from "../store.ts";
import { STORABLE } from "../validate/classify.ts";
import { newKeyRecord } from "../vault/new-key.ts";
import type { Session } from "../vault/session.ts";
import {
  type ImportBatch,
  type ImportPlan,
  planChangesSomething,
  planImport,
  type SkippedKey,
} from "./plan.ts";

// One import, whatever it came from: plan, optionally validate, then write everything in ONE transaction (the
// store's creation included, for an import into a new store), so a crash or error leaves all of it or none.

export interface ImportProgress {
  phase: "validate" | "write";
  done: number;
  total: number;
}

export interface ImportOptions {
  /** Report what would change and write nothing. */
  dryRun?: boolean;
  /** Check each new key against the Anthropic API first; refused keys are skipped. Default false. */
  validate?: boolean;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportReport {
  dryRun: boolean;
  source: string;
  added: Array<{ name: string; profile: string; kind: KeyRecord["kind"]; masked: string }>;
  skipped: SkippedKey[];
  profilesCreated: string[];
  activated: Array<{ profile: string; name: string }>;
}

export async function runImport(
  vault: Session,
  source: string,
  batch: ImportBatch,
  preSkipped: SkippedKey[],
  options: ImportOptions,
): Promise<ImportReport> {
  const initialised = (await vault.store.getMeta()) !== null;
  // A store that was never written holds no keys, so any key gives correct in-batch duplicate detection, and a
  // dry run does not have to create a master key.
  const previewKey = initialised ? await vault.unlock() : randomBytes(32);
  const previewPlan = () => planImport(vault.store, batch, (s) => fingerprintSecret(previewKey, s));
  let preview = await previewPlan();
  const skipped = [...preSkipped];

  // A dry run stays offline: it reports what the file holds, not what Anthropic thinks of it.
  if (options.validate && !options.dryRun && preview.add.length > 0) {
    const refused = await validateAll(vault, preview, options.onProgress);
    skipped.push(...refused.skipped);
    batch = { ...batch, keys: batch.keys.filter((k) => !refused.secrets.has(k.secret)) };
    preview = await previewPlan();
  }
  if (options.dryRun || !planChangesSomething(preview)) {
    return report(source, preview, skipped, options.dryRun === true);
  }

  const writer = await vault.prepareWrite();
  try {
    return await vault.store.transaction(async (tx) => {
      await writer.commit(tx);
      // Planned again inside the transaction: another process may have written since the preview.
      const plan = await planImport(tx, batch, (s) => fingerprintSecret(writer.dek, s));
      await apply(vault, tx, writer.dek, plan, options.onProgress);
      const result = report(source, plan, skipped, false);
      await vault.auditIn(tx, "store.import", null, null, {
        source,
        added: result.added.length,
        skipped: result.skipped.length,
        duplicates: result.skipped.filter((s) => s.reason === "duplicate").length,
        profilesCreated: result.profilesCreated,
      });
      return result;
    });
  } catch (err) {
    writer.discard();
    throw err;
  }
}

async function apply(
  vault: Session,
  tx: Store,
  dek: Buffer,
  plan: ImportPlan,
  onProgress: ImportOptions["onProgress"],
): Promise<void> {
  const now = vault.now();
  for (const name of plan.profilesToCreate) {
    // `default` may already exist: prepareWrite's commit creates it for a new store.
    if (!(await tx.profiles.get(name))) await tx.profiles.create({ name, activeKeyId: null, createdAt: now });
  }
  const ids = new Map<string, string>();
  let done = 0;
  for (const { key, name, fingerprint } of plan.add) {
    const id = randomUUID();
    const sealed = encryptSecret(dek, { id, profile: key.profile, name, kind: key.kind }, key.secret);
    await tx.keys.insert(
      newKeyRecord({
        id,
        name,
        profile: key.profile,
        kind: key.kind,
        source: key.source,
        organization: key.organization,
        workspace: key.workspace ?? null,
        status: key.status,
        ciphertext: sealed.ciphertext,
        nonce: sealed.nonce,
        hint: maskKey(key.secret),
        fingerprint,
        createdAt: key.createdAt,
        updatedAt: now,
        lastUsedAt: key.lastUsedAt,
        lastValidatedAt: key.lastValidatedAt,
        validation: key.validation,
        validationMessage: key.validationMessage,
        upstreamId: key.upstreamId,
        monthlyBudgetUsd: key.monthlyBudgetUsd,
        budgetMode: key.budgetMode,
      }),
    );
    ids.set(`${key.profile}\u0000${name}`, id);
    onProgress?.({ phase: "write", done: ++done, total: plan.add.length });
  }
  for (const { profile, name } of plan.activate) {
    const id = ids.get(`${profile}\u0000${name}`);
    if (id) await tx.profiles.setActiveKey(profile, id);
  }
}

async function validateAll(
  vault: Session,
  plan: ImportPlan,
  onProgress: ImportOptions["onProgress"],
): Promise<{ skipped: SkippedKey[]; secrets: Set<string> }> {
  const skipped: SkippedKey[] = [];
  const secrets = new Set<string>();
  let done = 0;
  // One at a time: a burst of parallel checks from one machine is what rate limits are for.
  for (const { key, name } of plan.add) {
    const result = await vault.validateSecret(key.secret, key.kind);
    if (STORABLE.has(result.outcome)) {
      key.validation = result.outcome;
      key.validationMessage = result.message;
      key.lastValidatedAt = vault.now();
    } else {
      skipped.push({ name, profile: key.profile, reason: "invalid", detail: result.message });
      secrets.add(key.secret);
    }
    onProgress?.({ phase: "validate", done: ++done, total: plan.add.length });
  }
  return { skipped, secrets };
}

function report(source: string, plan: ImportPlan, skipped: SkippedKey[], dryRun: boolean): ImportReport {
  return {
    dryRun,
    source,
    added: plan.add.map((a) => ({
      name: a.name,
      profile: a.key.profile,
      kind: a.key.kind,
      masked: maskKey(a.key.secret),
    })),
    skipped: [...skipped, ...plan.skipped],
    profilesCreated: plan.profilesToCreate,
    activated: plan.activate,
  };
}
