import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OTHER_MASTER_KEY } from "../../../../tests/fixtures/cli.ts";
import { fakeApiKey } from "../../../../tests/fixtures/keys.ts";
import ActiveApiKey from "../../src/active-api-key.tsx";
import AddApiKey from "../../src/add-api-key.tsx";
import SwitchApiKey from "../../src/switch-api-key.tsx";
import { mockState } from "../mock/raycast-api.tsx";
import { render } from "../render.tsx";
import { cliOk, type Fixture, makeFixture, seedKey } from "../store-fixture.ts";

const KEY = fakeApiKey("RAYCAST_LOCKED");

/** Renders Switch API Key and returns what its empty view says. */
async function emptyView() {
  const view = await render(<SwitchApiKey />);
  const empty = await view.waitFor(() => view.all("List.EmptyView")[0]);
  const seen = {
    title: String(empty.props.title),
    description: String(empty.props.description),
    actions: view.actionTitles(empty),
  };
  view.unmount();
  expect(seen.description).not.toMatch(/\n\s+at /);
  return seen;
}

describe("a master-key slot made for Raycast", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture();
  });
  afterEach(() => f.cleanup());

  it("opens the store with the device key `apikey slot add raycast` printed", async () => {
    await seedKey(f, "work", KEY);
    const { masterKey } = JSON.parse(await cliOk(f.home, ["--json", "slot", "add", "raycast"])) as {
      masterKey: string;
    };
    expect(masterKey).not.toBe(mockState.preferences.masterKey);
    mockState.preferences.masterKey = masterKey;
    const view = await render(<SwitchApiKey />);
    await view.waitFor(() => view.items().length === 1);
    expect(view.items()[0]?.title).toBe("work");
    view.unmount();
  });
});

describe("a store the extension cannot open", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture();
  });
  afterEach(() => f.cleanup());

  it("missing directory: one sentence, one command, and nothing is created", async () => {
    const missing = join(f.home.root, "nowhere");
    mockState.preferences.directory = missing;
    const seen = await emptyView();
    expect(seen.title).toBe(`No apikey store in ${missing}.`);
    expect(seen.description).toBe(
      "Add your first key in a terminal, or set Store Directory in the extension's preferences.\n\napikey add NAME",
    );
    expect(seen.actions).toEqual(["Copy Command", "Open Extension Preferences"]);
    expect(existsSync(missing)).toBe(false);
  });

  it("wrong master key", async () => {
    await seedKey(f, "work", KEY);
    mockState.preferences.masterKey = OTHER_MASTER_KEY;
    const seen = await emptyView();
    expect(seen.title).toBe("The Master Key preference does not open this store");
    expect(seen.description).toMatch(/apikey slot add raycast$/);
  });

  it("no master key set", async () => {
    await seedKey(f, "work", KEY);
    mockState.preferences.masterKey = "";
    expect((await emptyView()).title).toBe("This store needs a master key");
  });

  it("a master key that is not one", async () => {
    await seedKey(f, "work", KEY);
    mockState.preferences.masterKey = "hunter2";
    expect((await emptyView()).title).toBe("The Master Key preference is not a master key");
  });

  it("a passphrase store (Raycast cannot ask for the passphrase)", async () => {
    await cliOk(f.home, ["--json", "add", "--no-validate", "work"], {
      stdin: KEY,
      env: { APIKEY_MASTER_KEY: undefined, APIKEY_PASSPHRASE: "correct horse battery staple" },
    });
    expect((await emptyView()).title).toBe("This store is locked by a passphrase, which Raycast cannot ask for");
  });

  it("the other commands show the same view; the menu bar says it in its menu", async () => {
    mockState.preferences.masterKey = "";
    await seedKey(f, "work", KEY);
    const add = await render(<AddApiKey />);
    await add.waitFor(() => add.all("List.EmptyView").length === 1);
    add.unmount();
    const bar = await render(<ActiveApiKey />);
    await bar.waitFor(() =>
      bar.all("MenuBarExtra.Item").some((i) => i.props.title === "This store needs a master key"),
    );
    expect(bar.all("MenuBarExtra.Item").map((i) => i.props.title)).toContain('Copy "apikey slot add raycast"');
    bar.unmount();
  });
});
