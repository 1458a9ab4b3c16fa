import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

// issue 23 item 9: the README became an index into docs/; a moved or renamed page must not leave a dead link.
// Every relative link in README.md, CONTRIBUTING.md and docs/**/*.md must name a file that exists, and an anchor
// (#…) one of that file's headings, slugged as GitHub does.
const root = join(import.meta.dirname, "../..");

function markdownFiles(): string[] {
  const docs = readdirSync(join(root, "docs"), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".md"))
    .map((e) => join(e.parentPath, e.name));
  return [join(root, "README.md"), join(root, "CONTRIBUTING.md"), ...docs];
}

/** The text outside fenced code blocks and inline code, where a `](x)` is a link. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchors(file: string): Set<string> {
  const headings = prose(readFileSync(file, "utf8")).match(/^#{1,6} .*$/gm) ?? [];
  const raw = readFileSync(file, "utf8").match(/^#{1,6} .*$/gm) ?? [];
  return new Set([...headings, ...raw].map((h) => slug(h.replace(/^#+ /, "").replace(/`/g, ""))));
}

function links(file: string): string[] {
  return [...prose(readFileSync(file, "utf8")).matchAll(/\]\(<?([^)\s>]+)>?\)/g)].map((m) => m[1] as string);
}

describe("issue 23 item 9: documentation links", () => {
  it("slugs headings as GitHub does", () => {
    expect(slug("References: .env files and templates")).toBe("references-env-files-and-templates");
    expect(slug("The local gateway: apikey proxy")).toBe("the-local-gateway-apikey-proxy");
    expect(slug("Export, import and moving in from other tools")).toBe(
      "export-import-and-moving-in-from-other-tools",
    );
  });

  it("every relative link in README.md, CONTRIBUTING.md and docs/ points at an existing file and heading", () => {
    const files = markdownFiles();
    expect(files.length).toBeGreaterThan(10);
    const dead: string[] = [];
    let checked = 0;
    for (const file of files) {
      for (const link of links(file)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto:
        checked++;
        const [path = "", anchor] = link.split("#");
        const target = path === "" ? file : join(dirname(file), decodeURIComponent(path));
        const where = `${relative(root, file)} → ${link}`;
        if (!existsSync(target)) {
          dead.push(`${where} (no such file)`);
        } else if (anchor && statSync(target).isFile() && !anchors(target).has(anchor)) {
          dead.push(`${where} (no such heading)`);
        }
      }
    }
    expect(dead).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });
});
