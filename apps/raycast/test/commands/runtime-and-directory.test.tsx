import { mkdirSync, symlinkSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeApiKey } from "../../../../tests/fixtures/keys.ts";
import AddApiKey from "../../src/add-api-key.tsx";
import CopyActiveApiKey from "../../src/copy-active-api-key.ts";
import SwitchApiKey from "../../src/switch-api-key.tsx";
import { mockState, recorded } from "../mock/raycast-api.tsx";
import { render } from "../render.tsx";
import { type Fixture, makeFixture, seededStore, seedKey } from "../store-fixture.ts";

const KEY = fakeApiKey("RAYCAST_RUNTIME");
// One key, "work": made by the CLI once, copied into each test's home.
const seeded = seededStore((home) => seedKey({ home }, "work", KEY));

async function emptyView(element = <SwitchApiKey />) {
  const view = await render(element);
  const empty = await view.waitFor(() => view.all("List.EmptyView")[0]);
  const seen = { title: String(empty.props.title), description: String(empty.props.description) };
  view.unmount();
  return seen;
}

type GetBuiltin = (id: string) => unknown;

describe("issue 22 item 2: a Raycast whose Node has no node:sqlite says to update Raycast", () => {
  let f: Fixture;
  const original = Object.getOwnPropertyDescriptor(process, "getBuiltinModule");
  const realGet = process.getBuiltinModule.bind(process) as GetBuiltin;
  beforeEach(async () => {
    f = await makeFixture([], seeded);
  });
  afterEach(async () => {
    if (original) Object.defineProperty(process, "getBuiltinModule", original);
    await f.cleanup();
  });

  // The ways an older Node shows it: no getBuiltinModule at all (< 22.3), nothing for node:sqlite (22.3–22.4, or
  // the module behind --experimental-sqlite), a load that throws, a module without DatabaseSync.
  const OLD_RUNTIMES: Array<[string, GetBuiltin | undefined]> = [
    ["no process.getBuiltinModule (Node < 22.3)", undefined],
    ["getBuiltinModule returns undefined (Node 22.3–22.4)", (id) => (id === "node:sqlite" ? undefined : realGet(id))],
    [
      "the load throws ERR_UNKNOWN_BUILTIN_MODULE",
      (id) => {
        if (id !== "node:sqlite") return realGet(id);
        throw Object.assign(new Error("No such built-in module: node:sqlite"), { code: "ERR_UNKNOWN_BUILTIN_MODULE" });
      },
    ],
    ["a node:sqlite without DatabaseSync", (id) => (id === "node:sqlite" ? {} : realGet(id))],
  ];

  it.each(OLD_RUNTIMES)("%s: every command names the Raycast needed, not `apikey status`", async (_name, get) => {
    Object.defineProperty(process, "getBuiltinModule", { value: get, configurable: true, writable: true });

    const seen = await emptyView();
    expect(seen.title).toBe("This version of Raycast is too old for API Key Switcher");
    expect(seen.description).toContain("a Raycast version whose Node is 22.5 or newer");
    expect(seen.description).toContain(`this one runs Node ${process.versions.node}`);
    expect(seen.description).toContain("Update Raycast");
    expect(seen.description).not.toMatch(/apikey status|Something went wrong/);

    expect((await emptyView(<AddApiKey />)).title).toBe(seen.title);

    recorded.huds.length = 0;
    await CopyActiveApiKey();
    expect(recorded.huds).toHaveLength(1);
    expect(recorded.huds[0]).toMatch(/^This version of Raycast is too old for API Key Switcher\. It needs a Raycast/);
    expect(recorded.copies).toEqual([]);
  });

  it("the real runtime (Node 22.5+) opens the store as before", async () => {
    const view = await render(<SwitchApiKey />);
    await view.waitFor(() => view.items().length === 1);
    view.unmount();
  });
});

describe("issue 22 item 3: `~` in the Store Directory preference is the home directory", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture([], seeded);
    // The CLI's default place, under the fixture's HOME, is the store: so the placeholder itself names it.
    mkdirSync(join(f.home.homeDir, ".local", "share"), { recursive: true });
    symlinkSync(f.home.dataDir, join(f.home.homeDir, ".local", "share", "apikey"), "dir");
  });
  afterEach(() => f.cleanup());

  const fromHome = () => join(".local", "share", "apikey");
  const SPELLINGS: Array<[string, () => string]> = [
    ["the placeholder itself", () => "~/.local/share/apikey"],
    ["~/ with surrounding spaces", () => `  ~/${fromHome()}  `],
    ["$HOME/", () => `$HOME/${fromHome()}`],
    ["${HOME}/", () => `\${HOME}/${fromHome()}`],
    ["a quoted ~ path", () => `"~/${fromHome()}"`],
    ["a path relative to home", () => fromHome()],
  ];

  it.each(SPELLINGS)("%s opens the store", async (_name, spelling) => {
    mockState.preferences.directory = spelling();
    const view = await render(<SwitchApiKey />);
    await view.waitFor(() => view.items().length === 1);
    expect(view.items()[0]?.title).toBe("work");
    view.unmount();
  });

  it("a ~ path with no store names the expanded directory, never <cwd>/~", async () => {
    mockState.preferences.directory = "~/nowhere";
    const seen = await emptyView();
    expect(seen.title).toBe(`No apikey store in ${join(f.home.homeDir, "nowhere")}.`);
    expect(seen.title).not.toContain("~");
    expect(f.home.homeDir).not.toBe(homedir());
  });
});
