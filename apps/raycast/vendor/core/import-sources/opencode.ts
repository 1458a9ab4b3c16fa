// Vendored from packages/core/src/import-sources/opencode.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { join } from "node:path";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { KEY_PREFIX } from "../key-shapes.ts";
import { addCandidate, type Naming, type SourceScan, toKeyName } from "./candidates.ts";

// opencode keeps provider credentials in `auth.json` under its XDG data directory: an object keyed by provider id,
// each entry `{ "type": "api", "key": … }`, `{ "type": "oauth", "refresh", "access", "expires", … }` or
// `{ "type": "wellknown", "key", "token" }` (sst/opencode packages/opencode/src/auth/index.ts).

export function opencodeAuthPath(env: Record<string, string | undefined>, home: string): string {
  const base = env.XDG_DATA_HOME || join(env.HOME || home, ".local", "share");
  return join(base, "opencode", "auth.json");
}

export function scanOpencodeAuth(text: string, path: string, naming: Naming): SourceScan {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new ApikeyError(ERROR_CODES.IMPORT_SOURCE, `${path} is not valid JSON.`, {
      hint: "Give the path of opencode's auth.json (usually ~/.local/share/opencode/auth.json).",
      cause,
    });
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new ApikeyError(ERROR_CODES.IMPORT_SOURCE, `${path} is not an opencode auth.json.`, {
      hint: "It should be a JSON object keyed by provider id.",
    });
  }
  const scan: SourceScan = { keys: [], skipped: [] };
  for (const [provider, entry] of Object.entries(doc)) {
    const derived = toKeyName("opencode", provider);
    const skip = (reason: SourceScan["skipped"][number]["reason"], detail: string) =>
      scan.skipped.push({ name: derived, profile: naming.profile, reason, detail });
    const e = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    if (e.type === "oauth") {
      skip("oauth", "OAuth tokens from other apps are not imported");
    } else if (e.type !== "api" || typeof e.key !== "string") {
      skip("unsupported", `opencode entry of type "${String(e.type).slice(0, 20)}" holds no API key`);
    } else if (provider !== "anthropic" && !e.key.trim().startsWith(KEY_PREFIX)) {
      // Another provider's key (openai, openrouter…): not ours to keep.
      skip("not-anthropic", "not an Anthropic key");
    } else {
      addCandidate(scan, e.key, derived, naming);
    }
  }
  return scan;
}
