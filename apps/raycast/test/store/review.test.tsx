import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeApiKey } from "../../../../tests/fixtures/keys.ts";
import AddApiKey from "../../src/add-api-key.tsx";
import ApiKeyUsage from "../../src/api-key-usage.tsx";
import RotateApiKey from "../../src/rotate-api-key.tsx";
import SwitchApiKey from "../../src/switch-api-key.tsx";
import { environment } from "../mock/raycast-api.tsx";
import { render } from "../render.tsx";
import { type Fixture, makeFixture, seedKey } from "../store-fixture.ts";

// What Store review checks by eye (raycast/extensions docs/basics/prepare-an-extension-for-store.md and the review
// notes in FRONTS.md), checked here so a regression fails a test.
const root = fileURLToPath(new URL("../..", import.meta.url));
const KEY = fakeApiKey("RAYCAST_REVIEW");

/** Form and search-bar fields that take a placeholder in Raycast's API. */
const FIELDS = new Set([
  "Form.TextField",
  "Form.PasswordField",
  "Form.TextArea",
  "Form.Dropdown",
  "Form.TagPicker",
  "List.Dropdown",
  "Grid.Dropdown",
]);

/** Every field element in the .tsx files under `dir`, with whether it sets a non-empty placeholder. */
function fieldsInSources(dir = join(root, "src")): Array<{ where: string; tag: string; placeholder: boolean }> {
  const found: Array<{ where: string; tag: string; placeholder: boolean }> = [];
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".tsx"))
    .map((e) => join(e.parentPath, e.name));
  for (const file of files) {
    const source = ts.createSourceFile(
      file,
      readFileSync(file, "utf8"),
      ts.ScriptTarget.Latest,
      true,
      ts.ScriptKind.TSX,
    );
    const visit = (node: ts.Node) => {
      if (ts.isJsxOpeningElement(node) || ts.isJsxSelfClosingElement(node)) {
        const tag = node.tagName.getText(source);
        if (FIELDS.has(tag)) {
          const attr = node.attributes.properties.find(
            (p): p is ts.JsxAttribute => ts.isJsxAttribute(p) && p.name.getText(source) === "placeholder",
          );
          const value = attr?.initializer;
          const placeholder =
            value !== undefined &&
            !(ts.isStringLiteral(value) && value.text.trim() === "") &&
            value.getText(source) !== '{""}';
          const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
          found.push({ where: `${file.slice(dir.length + 1)}:${line + 1}`, tag, placeholder });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe("issue 22 item 4: Store review items", () => {
  it("every preference has a placeholder", () => {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      preferences: Array<{ name: string; type: string; placeholder?: string }>;
    };
    expect(manifest.preferences.length).toBeGreaterThan(0);
    for (const pref of manifest.preferences) {
      if (pref.type === "checkbox") continue; // a checkbox has a label, not a placeholder
      expect(pref.placeholder?.trim(), pref.name).toBeTruthy();
    }
  });

  it("every form field and search-bar dropdown has a placeholder, conditional ones included", () => {
    const fields = fieldsInSources();
    // Add (name, profile, new profile, key), Rotate (key, new key, grace), Rename (name), Switch's profile filter.
    expect(fields.length).toBeGreaterThanOrEqual(9);
    expect(fields.filter((f) => !f.placeholder).map((f) => `${f.where} ${f.tag}`)).toEqual([]);
  });

  it("the field scan sees a missing placeholder (it can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "raycast-fields-"));
    writeFileSync(
      join(dir, "probe.tsx"),
      [
        'export const A = () => <Form.TextField id="a" title="A" placeholder="" />;',
        'export const B = () => <Form.PasswordField id="b" title="B" {...props} />;',
        'export const C = () => <List.Dropdown tooltip="C">{items}</List.Dropdown>;',
        'export const D = () => <Form.Dropdown id="d" title="D" placeholder="Search" />;',
      ].join("\n"),
    );
    try {
      expect(fieldsInSources(dir).map((f) => [f.tag, f.placeholder])).toEqual([
        ["Form.TextField", false],
        ["Form.PasswordField", false],
        ["List.Dropdown", false],
        ["Form.Dropdown", true],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the README says what Paste Key really does (Clipboard.paste has no concealed option)", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(readme).not.toMatch(/\(copy, paste\)[^.]*concealed/);
    expect(readme).toMatch(/Paste Key[^.]*not concealed/);
  });
});

describe("issue 22 item 4: root commands and the usage chart", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture();
    await seedKey(f, "work", KEY);
  });
  afterEach(() => f.cleanup());

  it.each([
    ["Switch API Key", () => <SwitchApiKey />, "List"],
    ["Add API Key", () => <AddApiKey />, "Form"],
    ["Rotate API Key", () => <RotateApiKey />, "Form"],
    ["API Key Usage", () => <ApiKeyUsage />, "Detail"],
  ])("%s sets no navigationTitle at its root (Raycast shows the command's title)", async (_name, element, host) => {
    const view = await render(element());
    await view.waitFor(() => view.all(host)[0]);
    expect(view.all(host)[0]?.props.navigationTitle).toBeUndefined();
    view.unmount();
  });

  it("a pushed view keeps its title: Rotate… from a key names the key", async () => {
    const view = await render(<SwitchApiKey />);
    await view.waitFor(() => view.items().length === 1);
    await view.perform("Rotate…", view.item("work"));
    const form = await view.waitFor(() => view.all("Form")[0]);
    expect(form.props.navigationTitle).toBe("Rotate work");
    view.unmount();
  });

  it("the usage chart is written after render: a support folder that refuses files costs the chart, not the view", async () => {
    rmSync(environment.supportPath, { recursive: true, force: true });
    writeFileSync(environment.supportPath, "not a folder");
    const view = await render(<ApiKeyUsage />);
    const detail = await view.waitFor(() => {
      const d = view.one("Detail");
      return String(d.props.markdown).startsWith("## Spend, last 30 days") && d;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(String(view.one("Detail").props.markdown)).not.toContain("file://");
    expect(String(detail.props.markdown)).toContain("No requests recorded in this window.");
    view.unmount();
  });
});

describe("issue 22 item 5: the README names the three Store screenshots", () => {
  it("three 2000×1250 PNGs in metadata/, each from a command the extension has", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Screenshots for the Store"));
    expect(section).toContain("2000×1250 PNG");
    const rows = [...section.matchAll(/^\| `(api-key-switcher-\d\.png)` +\| ([^|]+?) +\|/gm)].map((m) => [m[1], m[2]]);
    expect(rows.map((r) => r[0])).toEqual([
      "api-key-switcher-1.png",
      "api-key-switcher-2.png",
      "api-key-switcher-3.png",
    ]);
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      commands: Array<{ title: string }>;
    };
    const titles = manifest.commands.map((c) => c.title);
    for (const [, command] of rows) expect(titles).toContain(command);
  });
});
