import { randomBytes } from "node:crypto";
import { open, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Apikey } from "@apikey/core";
import { findReferences } from "@apikey/core";
import { ApikeyError, isApikeyError } from "@apikey/core/errors";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import { UsageError } from "../io/errors.ts";

// `apikey inject`: a copy of a config template with every apikey:// reference replaced by its secret. The template
// can be committed; the copy is written 0600, never over an existing file unless asked.

const MAX_TEMPLATE_BYTES = 1024 * 1024;

export function registerInjectCommands(program: Command, action: Action): void {
  program
    .command("inject")
    .description(
      "write a copy of a template with apikey:// references resolved: apikey inject -i TEMPLATE [-o FILE]",
    )
    .requiredOption("-i, --in-file <template>", "the template to read")
    .option("-o, --out-file <file>", "where to write the copy (0600); stdout when omitted")
    .option("--force", "replace an existing output file")
    .action(
      action(async (ctx, opts: { inFile: string; outFile?: string; force?: boolean }) => {
        const template = await readTemplate(opts.inFile);
        const found = findReferences(template);
        const app = await ctx.app();
        const secrets = new Map<string, string>();
        for (const { index, length } of found) {
          const text = template.slice(index, index + length);
          if (!secrets.has(text)) secrets.set(text, await resolveAt(app, template, index, text));
        }
        let out = "";
        let at = 0;
        for (const { index, length } of found) {
          out += template.slice(at, index) + secrets.get(template.slice(index, index + length));
          at = index + length;
        }
        out += template.slice(at);
        if (opts.outFile === undefined) {
          process.stdout.write(out);
          return;
        }
        await writePrivate(opts.outFile, out, opts.force === true);
        ctx.out.result({ file: opts.outFile, references: secrets.size }, () => {
          const n = secrets.size;
          return `Wrote ${opts.outFile} (${n} reference${n === 1 ? "" : "s"} resolved).`;
        });
      }),
    );
}

async function resolveAt(
  app: Pick<Apikey, "references">,
  template: string,
  index: number,
  text: string,
): Promise<string> {
  try {
    return (await app.references.resolve(text)).secret;
  } catch (err) {
    if (!isApikeyError(err)) throw err;
    const line = template.slice(0, index).split("\n").length;
    throw new ApikeyError(err.code, `line ${line}: ${err.message}`, {
      ...(err.hint !== undefined && { hint: err.hint }),
      cause: err,
      details: { ...err.details, line },
    });
  }
}

async function readTemplate(path: string): Promise<string> {
  try {
    if ((await stat(path)).size > MAX_TEMPLATE_BYTES) {
      throw new UsageError("That template is larger than 1 MiB.", "Point -i at a config template.");
    }
    return await readFile(path, "utf8");
  } catch (err) {
    if (isApikeyError(err)) throw err;
    throw new UsageError("The template cannot be read.", "Check the path given to -i.");
  }
}

/** Creates the file 0600; with `force`, writes a private temp file beside it and renames it over the old one. */
async function writePrivate(path: string, content: string, force: boolean): Promise<void> {
  const target = force
    ? join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`)
    : path;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(target, "wx", 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST")
      throw new UsageError("The output file already exists.", "Pass --force to replace it.");
    throw new UsageError("The output file cannot be created.", "Check the path given to -o.");
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (force) {
    try {
      await rename(target, path);
    } catch {
      await rm(target, { force: true });
      throw new UsageError("The output file cannot be replaced.", "Check the path given to -o.");
    }
  }
}
