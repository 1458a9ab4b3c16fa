// Vendored from packages/core/src/federation/profile-files.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { open } from "node:fs/promises";
import { z } from "zod";
import { ApikeyError, ERROR_CODES } from "../errors.ts";

// The official SDKs' profile files, read strictly: they come from outside the store (another tool wrote them, or
// someone edited them), and a credentials file holds a plaintext token. A file over the size cap, JSON with a key
// given twice (which value would the SDK have used?), a number that is not a plain integer where one is expected, or
// a field of the wrong type is refused with E_IMPORT_SOURCE naming the file and the field — never a value from it.
// Unknown fields are ignored, as the SDK ignores them (newer `ant` versions add some).

/** Profile files are a few hundred bytes; past this a file is not one (and is not read whole). */
export const MAX_PROFILE_FILE_BYTES = 64 * 1024;

const text = z.string().min(1).max(4096);
/** Seconds since the epoch, as the SDK writes `expires_at`: a positive integer before year 3000. */
const epochSeconds = z.number().int().positive().max(32_503_680_000);

export const configFileSchema = z.object({
  version: z.union([z.string(), z.number()]).optional(),
  base_url: text.optional(),
  organization_id: text.optional(),
  workspace_id: text.optional(),
  authentication: z.discriminatedUnion("type", [
    z.object({
      type: z.literal("oidc_federation"),
      federation_rule_id: text.optional(),
      service_account_id: text.optional(),
      identity_token: z.object({ source: z.literal("file"), path: text }).optional(),
      credentials_path: text.optional(),
    }),
    z.object({
      type: z.literal("user_oauth"),
      client_id: z.string().max(256).optional(),
      console_url: text.optional(),
      credentials_path: text.optional(),
      scope: z.string().max(4096).optional(),
    }),
  ]),
});
export type ProfileConfig = z.infer<typeof configFileSchema>;

export const credentialsFileSchema = z.object({
  version: z.union([z.string(), z.number()]).optional(),
  type: z.literal("oauth_token"),
  access_token: text,
  expires_at: epochSeconds.nullable().optional(),
  refresh_token: text.optional(),
  scope: z.string().max(4096).optional(),
});
export type ProfileCredentials = z.infer<typeof credentialsFileSchema>;

export function profileFileError(message: string, reason: string, field?: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.IMPORT_SOURCE, message, {
    hint: "Check the profile with the official CLI (ant auth status), or add the key by hand.",
    details: { source: "anthropic-profiles", reason, ...(field !== undefined && { field }) },
  });
}

/** Reads and checks one profile file; `null` when it does not exist. */
export async function readProfileFile<T>(path: string, schema: z.ZodType<T>): Promise<T | null> {
  const raw = await readCapped(path);
  if (raw === null) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw profileFileError(`${path} is not valid JSON.`, "json");
  }
  const repeated = repeatedKey(raw);
  if (repeated !== null)
    throw profileFileError(`${path} gives the field "${repeated}" twice.`, "duplicate_key", repeated);
  const parsed = schema.safeParse(doc);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "(file)";
    throw profileFileError(`${path} has an unexpected value in "${field}".`, "schema", field);
  }
  return parsed.data;
}

async function readCapped(path: string): Promise<string | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw profileFileError(`${path} cannot be read.`, "unreadable");
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_PROFILE_FILE_BYTES)
      throw profileFileError(`${path} is larger than a profile file can be (64 KiB).`, "too_large");
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}

/**
 * The first object key that appears twice in one object of already-valid JSON, else null. JSON.parse keeps the last
 * silently; the SDK in another language might keep the first — such a file is refused instead of guessed at.
 */
export function repeatedKey(json: string): string | null {
  const frames: Array<{ keys: Set<string> | null; expectKey: boolean }> = [];
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      const top = frames.at(-1);
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
    } else if (c === "{") frames.push({ keys: new Set(), expectKey: true });
    else if (c === "[") frames.push({ keys: null, expectKey: false });
    else if (c === "}" || c === "]") frames.pop();
    else if (c === ",") {
      const top = frames.at(-1);
      if (top?.keys) top.expectKey = true;
    }
  }
  return null;
}
