// Vendored from packages/core/src/bundle/payload.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { z } from "zod";
import {
  type BudgetMode,
  KEY_KINDS,
  KEY_SOURCES,
  type KeyKind,
  type KeySource,
  VALIDATION_OUTCOMES,
  type ValidationOutcome,
} from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { isWorkspaceId } from "../federation/workspace-id.ts";
import { recogniseKey } from "../key-format.ts";
import { checkName } from "../vault/names.ts";

// What is inside a bundle, independent of how a given format version spells it. Each version has a reader that
// turns its decrypted JSON into a BundleContent; a new version adds a reader and keeps the old ones, so files
// written by any earlier apikey still import.

/** Recorded in the bundle for support questions; not used to decide anything. */
export const APIKEY_VERSION = "0.1.0";

export interface BundleKey {
  name: string;
  profile: string;
  kind: KeyKind;
  source: KeySource;
  organization: string | null;
  /** An OAuth token's workspace (format 2 on; null in a format 1 file, which predates it). */
  workspace?: string | null;
  /** Rotated keys are not exported: their successor is, and their links would point at rows that do not exist. */
  status: "active" | "disabled";
  createdAt: Date;
  lastUsedAt: Date | null;
  lastValidatedAt: Date | null;
  validation: ValidationOutcome | null;
  validationMessage: string | null;
  monthlyBudgetUsd: number | null;
  budgetMode: BudgetMode;
  upstreamId: string | null;
  secret: string;
}

export interface BundleProfile {
  name: string;
  /** The name of the profile's active key, when it was exported too. */
  activeKey: string | null;
}

export interface BundleContent {
  /** The format version the file was written in. */
  version: number;
  apikeyVersion: string;
  exportedAt: Date;
  profiles: BundleProfile[];
  keys: BundleKey[];
}

const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const V1Key = z.object({
  name: z.string(),
  profile: z.string(),
  kind: z.enum(KEY_KINDS),
  source: z.enum(KEY_SOURCES),
  organization: z.string().nullable(),
  status: z.enum(["active", "disabled"]),
  createdAt: isoDate,
  lastUsedAt: isoDate.nullable(),
  lastValidatedAt: isoDate.nullable(),
  validation: z.enum(VALIDATION_OUTCOMES).nullable(),
  validationMessage: z.string().max(2000).nullable(),
  monthlyBudgetUsd: z.number().nonnegative().nullable(),
  budgetMode: z.enum(["warn", "block"]),
  upstreamId: z.string().nullable(),
  secret: z.string(),
});

// Format 2 adds a key's workspace. A new format number, not an optional field in format 1: an older apikey would
// drop the field without a word and send the token without its workspace; it refuses a format 2 file instead.
const V2Key = V1Key.extend({
  workspace: z
    .string()
    .refine((w) => isWorkspaceId(w))
    .nullable(),
});

const payloadOf = <K extends z.ZodType>(key: K) =>
  z.object({
    apikeyVersion: z.string().max(64),
    exportedAt: isoDate,
    profiles: z.array(z.object({ name: z.string(), activeKey: z.string().nullable() })),
    keys: z.array(key),
  });
const V1Payload = payloadOf(V1Key);
const V2Payload = payloadOf(V2Key);

type Reader = (json: unknown) => BundleContent;

const READERS: Readonly<Record<number, Reader>> = {
  1: (json) => {
    const content = parse(V1Payload, json);
    return { version: 1, ...content, keys: content.keys.map((k) => ({ ...k, workspace: null })) };
  },
  2: (json) => ({ version: 2, ...parse(V2Payload, json) }),
};

export const canRead = (version: number): boolean => Object.hasOwn(READERS, version);

/** Decrypted bytes of a bundle of `version` → checked content (E_BUNDLE_CORRUPT if it is not what it claims). */
export function decodePayload(version: number, plaintext: Buffer): BundleContent {
  const reader = READERS[version];
  if (!reader) throw new ApikeyError(ERROR_CODES.BUNDLE_VERSION, `Unknown bundle format version ${version}.`);
  let json: unknown;
  try {
    json = JSON.parse(plaintext.toString("utf8"));
  } catch (cause) {
    throw badContent(cause);
  }
  return checkContent(reader(json));
}

/** Content → the bytes this version of apikey writes (always the newest format). */
export function encodePayload(content: Omit<BundleContent, "version">): Buffer {
  const doc = {
    apikeyVersion: content.apikeyVersion,
    exportedAt: content.exportedAt.toISOString(),
    profiles: content.profiles,
    keys: content.keys.map((k) => ({
      ...k,
      workspace: k.workspace ?? null,
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      lastValidatedAt: k.lastValidatedAt?.toISOString() ?? null,
    })),
  } satisfies z.input<typeof V2Payload>;
  return Buffer.from(JSON.stringify(doc), "utf8");
}

function parse<T extends z.ZodType>(schema: T, json: unknown): z.output<T> {
  const result = schema.safeParse(json);
  // zod's issues name paths and expectations, not values; still, we keep them out of the message (a path can
  // hold a key name) and only chain them as the cause.
  if (!result.success) throw badContent(result.error);
  return result.data;
}

// The ciphertext authenticated, so these only fail for a file written by something other than apikey; the
// checks keep such a file from smuggling in a name or secret that the rest of apikey would refuse.
function checkContent(content: BundleContent): BundleContent {
  try {
    for (const p of content.profiles) checkName(p.name, "profile");
    for (const k of content.keys) {
      checkName(k.name, "key");
      checkName(k.profile, "profile");
      const { kind, secret } = recogniseKey(k.secret);
      if (kind !== k.kind || secret !== k.secret) throw new Error("kind or whitespace mismatch");
    }
  } catch (cause) {
    throw badContent(cause);
  }
  return content;
}

function badContent(cause: unknown): ApikeyError {
  return new ApikeyError(
    ERROR_CODES.BUNDLE_CORRUPT,
    "The bundle opened, but its contents are not what apikey writes.",
    { hint: "Nothing was imported. Export it again.", cause },
  );
}
