import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ENV_VARIABLES } from "@apikey/core";
import { describe, expect, it } from "vitest";
import { OTHER_VARIABLES } from "../help/topics.ts";
import { renderReference } from "./reference.ts";

// issue 23 item 9: docs/reference/cli.md is generated from the program; it must not drift from it.
const root = join(import.meta.dirname, "../../../..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !/\.test\.ts$|test-|fixtures?/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe("issue 23 item 9: the generated CLI reference", () => {
  it("is current (regenerated in memory, compared with docs/reference/cli.md)", async () => {
    const generated = await renderReference(root);
    const onDisk = readFileSync(join(root, "docs/reference/cli.md"), "utf8");
    if (generated !== onDisk) {
      expect.fail("docs/reference/cli.md is stale: run pnpm docs:reference and commit the result");
    }
  });

  it("names every command, every variable config.ts parses, and every error code", async () => {
    const text = await renderReference(root);
    for (const heading of ["### apikey add", "### apikey proxy token create", "### apikey store copy"]) {
      expect(text).toContain(heading);
    }
    for (const name of ENV_VARIABLES) expect(text).toContain(`\`${name}\``);
    expect(text).toContain("`E_STORE_TOO_NEW`");
    expect(text).toContain("`--no-validate`");
  });

  it("documents every APIKEY_ variable the CLI's code reads outside config.ts", () => {
    const read = new Set<string>();
    const dirs = [
      join(root, "apps/cli/src"),
      ...["core", "storage", "gateway", "keychain"].map((p) => join(root, "packages", p, "src")),
    ];
    for (const file of dirs.flatMap(sources)) {
      for (const m of readFileSync(file, "utf8").matchAll(/\benv(?:\.|\[")(APIKEY_[A-Z0-9_]+)/g))
        read.add(m[1] as string);
    }
    const documented = new Set<string>([...ENV_VARIABLES, ...Object.keys(OTHER_VARIABLES)]);
    const missing = [...read].filter((n) => !documented.has(n) && !/TEST|FUZZ/.test(n));
    expect(missing, "add them to OTHER_VARIABLES in apps/cli/src/help/topics.ts").toEqual([]);
    for (const name of Object.keys(OTHER_VARIABLES)) expect(read, name).toContain(name);
  });
});
