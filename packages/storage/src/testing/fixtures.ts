// Visibly fake fixtures: random bytes stand in for ciphertext; nothing here resembles a real secret.

import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditEntry, KeyRecord, MasterKeySlot, StoreMeta } from "@apikey/core";

export const T0 = new Date("2026-01-02T03:04:05.678Z");

export function at(offsetMs: number): Date {
  return new Date(T0.getTime() + offsetMs);
}

export function fakeKey(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: randomUUID(),
    name: "test-key",
    profile: "default",
    provider: "anthropic",
    kind: "api",
    source: "manual",
    organization: null,
    workspace: null,
    status: "active",
    ciphertext: new Uint8Array(randomBytes(40)),
    nonce: new Uint8Array(randomBytes(12)),
    hint: "sk-ant-test-…FAKE",
    fingerprint: `fp-test-${randomBytes(8).toString("hex")}`,
    createdAt: T0,
    updatedAt: T0,
    lastUsedAt: null,
    lastValidatedAt: null,
    validation: null,
    validationMessage: null,
    rotatedFromId: null,
    rotatedToId: null,
    upstreamId: null,
    monthlyBudgetUsd: null,
    budgetMode: "warn",
    refreshCiphertext: null,
    refreshNonce: null,
    expiresAt: null,
    oauthProvider: null,
    seal: 2,
    ...overrides,
  };
}

export function fakeSlot(overrides: Partial<MasterKeySlot> = {}): MasterKeySlot {
  return {
    id: randomUUID(),
    name: "env",
    kind: "env",
    params: null,
    wrappedDek: new Uint8Array(randomBytes(48)),
    dekNonce: new Uint8Array(randomBytes(12)),
    createdAt: T0,
    lastUsedAt: null,
    ...overrides,
  };
}

export function fakeMeta(overrides: Partial<StoreMeta> = {}): StoreMeta {
  return {
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function fakeAudit(overrides: Partial<Omit<AuditEntry, "id">> = {}): Omit<AuditEntry, "id"> {
  return {
    at: T0,
    actor: "cli:tester@testhost",
    front: "cli",
    action: "key.add",
    keyId: null,
    profile: "default",
    details: { name: "test-key" },
    ...overrides,
  };
}

/** A fresh temporary directory, removed (after lifting any immutable flag) by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "apikey-storage-"));
  return {
    dir,
    cleanup: () => {
      try {
        execFileSync("chattr", ["-R", "-i", dir], { stdio: "ignore" });
      } catch {
        // No chattr, or nothing was immutable.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Makes `dir` refuse new files even for root (which ignores permission bits): `chattr +i` where the file system
 * and capabilities allow it, else plain 0500 for a non-root user. Returns false when neither can work.
 */
export function makeDirReadOnly(dir: string): boolean {
  try {
    execFileSync("chattr", ["+i", dir], { stdio: "ignore" });
    return true;
  } catch {
    if (process.getuid?.() === 0) return false;
    execFileSync("chmod", ["0500", dir]);
    return true;
  }
}
