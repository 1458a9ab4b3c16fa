import { readFile } from "node:fs/promises";
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument, type Range } from "yaml";
import { z } from "zod";

// The authorization file (APIKEY_SLACK_CONFIG). YAML because operators edit it by hand and want comments; the
// `yaml` package (no dependencies) keeps every node's position, so each error names its line. Values are never
// echoed in errors: a key pasted into the wrong file should not reach a log.

const id = (first: string, what: string) =>
  z
    .string()
    .regex(new RegExp(`^[${first}][A-Z0-9]{2,}$`), `expected ${what} (${first.split("").join(" or ")}…)`);

const userId = id("UW", "a Slack user id");
const groupId = id("S", "a Slack user-group id");

const RuleSchema = z.strictObject({
  users: z.array(userId).default([]),
  groups: z.array(groupId).default([]),
  /** Workspace admins and owners, as users.info reports them. */
  admins: z.boolean().default(false),
});

const ProfileSchema = z.strictObject({
  view: RuleSchema.optional(),
  operate: RuleSchema.optional(),
});

const PROFILE_NAME = /^(\*|[a-z0-9][a-z0-9_-]{0,39})$/;

const FileSchema = z
  .strictObject({
    workspaces: z.strictObject({
      teams: z.array(id("T", "a Slack workspace id")).default([]),
      enterprises: z.array(id("E", "a Slack enterprise id")).default([]),
    }),
    announcements: id("CG", "a Slack channel id").optional(),
    profiles: z.record(z.string().regex(PROFILE_NAME, "expected a profile name or *"), ProfileSchema),
  })
  .refine((f) => f.workspaces.teams.length + f.workspaces.enterprises.length > 0, {
    message: "list at least one workspace (teams) or enterprise id",
    path: ["workspaces"],
  });

export type Rule = z.output<typeof RuleSchema>;
export interface ProfileRules {
  view: Rule | undefined;
  operate: Rule | undefined;
}
export interface Policy {
  teams: ReadonlySet<string>;
  enterprises: ReadonlySet<string>;
  announcementChannel: string | undefined;
  /** By profile name; `*` applies to every profile, in addition to its own entry. */
  profiles: ReadonlyMap<string, ProfileRules>;
}

export class PolicyFileError extends Error {
  override readonly name = "PolicyFileError";
  readonly code = "E_SLACK_POLICY";
}

export async function loadPolicyFile(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new PolicyFileError(`APIKEY_SLACK_CONFIG: cannot read the file (${code}).`);
  }
  return parsePolicy(text);
}

/** Pure: YAML text to a Policy, or a PolicyFileError naming the line. */
export function parsePolicy(text: string, label = "APIKEY_SLACK_CONFIG"): Policy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = lines.linePos(first.pos[0]).line;
    throw new PolicyFileError(`${label} line ${line}: not valid YAML (${first.code}).`);
  }
  if (!isMap(doc.contents)) throw new PolicyFileError(`${label} line 1: expected a mapping at the top.`);
  const parsed = FileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []) as (string | number)[];
    // An unknown key is reported on its mapping; its line is the key's own.
    // Zod's text for an unknown key quotes the key; say it in words that quote nothing.
    const what = issue?.code === "unrecognized_keys" ? "unknown setting (misspelt?)" : issue?.message;
    const at =
      issue?.code === "unrecognized_keys" && issue.keys[0] !== undefined ? [...path, issue.keys[0]] : path;
    throw new PolicyFileError(`${label} line ${lineOf(doc, lines, at)}: ${describe(path)}: ${what}.`);
  }
  const f = parsed.data;
  return {
    teams: new Set(f.workspaces.teams),
    enterprises: new Set(f.workspaces.enterprises),
    announcementChannel: f.announcements,
    profiles: new Map(
      Object.entries(f.profiles).map(([name, rules]) => [name, { view: rules.view, operate: rules.operate }]),
    ),
  };
}

// The line of the deepest part of the path that exists: a key's own line for a mapping entry (so a misspelt
// key is found where it is written), the item's line in a list.
function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number {
  for (let n = path.length; n > 0; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
    const segment = path[n - 1];
    let node: { range?: Range | null } | undefined;
    if (isMap(parent))
      node = parent.items.find((p) => isScalar(p.key) && p.key.value === segment)?.key as never;
    else if (isSeq(parent) && typeof segment === "number") node = parent.items[segment] as never;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}

function describe(path: (string | number)[]): string {
  if (path.length === 0) return "top level";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
