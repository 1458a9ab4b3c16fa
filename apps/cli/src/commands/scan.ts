import { spawn } from "node:child_process";
import type { Apikey } from "@apikey/core";
import {
  createKeyStreamScanner,
  type FoundKey,
  findKeysInText,
  maskKey,
  recogniseKey,
  validateKey,
} from "@apikey/core";
import { storeExistsAt } from "@apikey/storage/from-env";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import type { Context } from "../context.ts";
import { EXIT, UsageError } from "../io/errors.ts";
import { terminalProgress } from "../io/progress.ts";
import { type Finding, skippedLines, Walk } from "./scan-files.ts";

// `apikey scan`: Anthropic-shaped keys in files (and with --git, in every commit's added lines). Prints where, the
// masked hint and whether the store holds that key; never the key. Exit 1 when anything is found (pre-commit hooks).

export function registerScanCommands(program: Command, action: Action): void {
  program
    .command("scan")
    .description("find Anthropic keys in files (and with --git, in the history); exit 1 when any is found")
    .argument("[paths...]", "files or directories (default: .)")
    .option("--git", "also search every commit of the repository at each path (git log -p --all)")
    .option("--validate", "ask the Anthropic API whether each found key still works")
    .option("--import", "store each found key that the store does not hold yet (then rotate it)")
    .action(
      action(async (ctx, paths: string[], opts: { git?: boolean; import?: boolean; validate?: boolean }) => {
        const roots = paths.length > 0 ? paths : ["."];
        const findings: Finding[] = [];
        // On a terminal, a line that says how far the search is (a big tree can take half a minute).
        const progress = terminalProgress(ctx.out.json);
        const walk = new Walk(findings, (n, path) =>
          progress.update(() => `Scanning: ${n} file(s), ${findings.length} key(s) found so far… ${path}`),
        );
        try {
          for (const root of roots) walk.path(root);
          if (opts.git)
            for (const root of roots)
              await scanHistory(root, findings, (commits) =>
                progress.update(
                  () => `Scanning history: ${commits} commit(s), ${findings.length} key(s) found so far…`,
                ),
              );
        } finally {
          progress.done();
        }
        const { files, skipped } = walk;

        const app = await storeIfAny(ctx);
        const rows: Array<{
          where: string;
          line: number;
          masked: string;
          stored: { profile: string; name: string } | null;
          validation?: string;
        }> = [];
        const verdicts = new Map<string, string>();
        const imported = new Map<string, string>();
        for (const f of findings) {
          let stored = app ? await app.keys.findBySecret(f.secret) : null;
          if (!stored && app && opts.import && !imported.has(f.secret)) {
            const { key } = await app.keys.add({
              name: `found-${imported.size + 1}`,
              secret: f.secret,
              profile: ctx.profile,
              validate: false,
            });
            imported.set(f.secret, key.name);
            stored = key;
          }
          if (opts.validate && !verdicts.has(f.secret)) {
            // Once per distinct key; the outcome (valid, invalid…) never carries the key.
            const result = app
              ? await app.keys.validateSecret(f.secret)
              : await validateKey(f.secret, recogniseKey(f.secret).kind, {
                  baseURL: ctx.config.anthropicBaseUrl,
                  timeoutMs: ctx.config.validateTimeoutMs,
                  allowInsecureBaseUrl: ctx.config.allowInsecureBaseUrl,
                });
            verdicts.set(f.secret, result.outcome);
          }
          rows.push({
            where: f.where,
            line: f.line,
            masked: maskKey(f.secret),
            stored: stored ? { profile: stored.profile, name: stored.name } : null,
            ...(opts.validate && { validation: verdicts.get(f.secret) }),
          });
        }
        ctx.out.result({ files, skipped, findings: rows }, () =>
          rows
            .map(
              (r) =>
                `${r.where}:${r.line}  ${r.masked}  ${r.stored ? `stored as ${r.stored.profile}/${r.stored.name}` : app ? "not in the store" : "no store"}${r.validation ? `  ${r.validation}` : ""}`,
            )
            .join("\n"),
        );
        for (const line of skippedLines(skipped)) ctx.out.note(line);
        // Always, so a clean run says how much it covered: on stderr, stdout is the findings.
        ctx.out.note(
          `${rows.length} key(s) found in ${files} file(s) searched; ${skipped.length} skipped${skipped.length > 0 ? " (listed above)" : ""}.`,
        );
        if (opts.import && !app)
          throw new UsageError("There is no store to import into.", "Run `apikey add` first.");
        return rows.length > 0 ? EXIT.FAILURE : EXIT.OK;
      }),
    );
}

/** The store when one exists; scanning never creates one. */
async function storeIfAny(ctx: Context): Promise<Apikey | null> {
  return (await storeExistsAt(ctx.config.store)) ? ctx.app() : null;
}

// A diff line longer than this is not held whole: an added one is searched as it streams, any other is dropped.
const LONG_LINE = 1024 * 1024;

/** Keys in lines any commit added, on any ref: `git log -p --all`, read line by line in bounded memory. */
async function scanHistory(
  root: string,
  findings: Finding[],
  onCommit: (commits: number) => void = () => {},
): Promise<void> {
  const git = spawn(
    "git",
    ["-C", root, "log", "-p", "--all", "--no-color", "--no-ext-diff", "--unified=0", "--format=commit %H"],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let commit = "";
  let commits = 0;
  let file = "";
  let line = 0;
  let rest = "";
  const found = (keys: FoundKey[]) => {
    for (const f of keys) findings.push({ where: `${commit}:${file}`, line, secret: f.secret });
  };
  const onLine = (l: string) => {
    if (l.startsWith("commit ")) {
      commit = l.slice(7, 19);
      onCommit(++commits);
    } else if (l.startsWith("+++ ")) file = l.slice(4).replace(/^b\//, "");
    else if (l.startsWith("@@ ")) line = Number(/\+(\d+)/.exec(l)?.[1] ?? 0);
    else if (l.startsWith("+")) {
      found(findKeysInText(l.slice(1)));
      line++;
    }
  };
  // The long line being read, if any: an added one goes through the streaming search, another is dropped.
  let long: { added: boolean } | null = null;
  const scanner = createKeyStreamScanner();
  git.stdout.setEncoding("latin1");
  git.stdout.on("data", (chunk: string) => {
    let text = chunk;
    if (long) {
      const end = text.indexOf("\n");
      const part = end === -1 ? text : text.slice(0, end);
      if (long.added) found(scanner.push(Buffer.from(part, "latin1"), end !== -1));
      if (end === -1) return;
      if (long.added) line++;
      long = null;
      text = text.slice(end + 1);
    }
    const lines = (rest + text).split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) onLine(l);
    if (rest.length > LONG_LINE) {
      long = { added: rest.startsWith("+") && !rest.startsWith("+++ ") };
      if (long.added) found(scanner.push(Buffer.from(rest.slice(1), "latin1")));
      rest = "";
    }
  });
  const code = await new Promise<number | null>((resolve) => {
    git.on("error", () => resolve(-1));
    git.on("close", resolve);
  });
  if ((long as { added: boolean } | null)?.added) found(scanner.end());
  if (rest) onLine(rest);
  if (code !== 0)
    throw new UsageError("git could not read the history there.", "Run scan --git inside a git repository.");
}
