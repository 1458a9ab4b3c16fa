// Vendored from packages/core/src/import-sources/dotenv.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { basename } from "node:path";
import { addCandidate, type Naming, type SourceScan, toKeyName } from "./candidates.ts";

// `ANTHROPIC_API_KEY=…` lines of a .env file, the way dotenv and shells write them: optional `export `, the value
// bare, 'single-' or "double-quoted", a bare value ending at ` #`. Other variables are not looked at.

const LINE = /^\s*(?:export\s+)?ANTHROPIC_API_KEY\s*=\s*(.*?)\s*$/;

export function scanDotenv(text: string, path: string, naming: Naming): SourceScan {
  const scan: SourceScan = { keys: [], skipped: [] };
  const derived = toKeyName("dotenv", basename(path));
  for (const line of text.split(/\r?\n/)) {
    const match = LINE.exec(line);
    if (!match) continue;
    addCandidate(scan, unquote(match[1] ?? ""), derived, naming);
  }
  return scan;
}

function unquote(value: string): string {
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    const end = value.indexOf(quote, 1);
    return end === -1 ? value.slice(1) : value.slice(1, end);
  }
  const comment = value.search(/\s#/);
  return comment === -1 ? value : value.slice(0, comment);
}
