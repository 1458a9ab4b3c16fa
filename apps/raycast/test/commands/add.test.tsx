import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeApiKey } from "../../../../tests/fixtures/keys.ts";
import AddApiKey from "../../src/add-api-key.tsx";
import { recorded } from "../mock/raycast-api.tsx";
import { render } from "../render.tsx";
import { cliOk, type Fixture, makeFixture, seedKey } from "../store-fixture.ts";

const FIRST = fakeApiKey("RAYCAST_ADD_FIRST");
const GOOD = fakeApiKey("RAYCAST_ADD_GOOD");
const BAD = fakeApiKey("RAYCAST_ADD_BAD");
const DOWN = fakeApiKey("RAYCAST_ADD_DOWN");

type Listed = Array<{ name: string; profile: string; active: boolean; validation: unknown }>;
const list = async (f: Fixture) => JSON.parse(await cliOk(f.home, ["--json", "list"])) as Listed;

describe("Add API Key", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture([FIRST, GOOD]);
    await seedKey(f, "first", FIRST);
  });
  afterEach(() => f.cleanup());

  async function fill(name: string, key: string, profile?: string) {
    const view = await render(<AddApiKey />);
    await view.waitFor(() => view.all("Form.Dropdown.Item").length >= 2);
    await view.type("name", name);
    if (profile) await view.type("profile", profile);
    await view.type("key", key);
    return view;
  }

  it("validates, stores and says so with an animated toast", async () => {
    const view = await fill("good", GOOD);
    await view.perform("Add Key");
    await view.waitFor(() => recorded.toasts.some((t) => t.style !== "animated"));
    expect(recorded.toasts[0]).toMatchObject({ style: "animated", title: "Checking the key with Anthropic…" });
    expect(recorded.toasts.at(-1)).toMatchObject({ style: "success", title: "Added good", message: "Valid." });
    expect(f.fake.requestsFor(GOOD).map((r) => r.path)).toContain("/v1/models");
    const stored = (await list(f)).find((k) => k.name === "good");
    expect(stored).toMatchObject({ profile: "default", active: false });
    // The secret leaves the form once stored.
    expect(view.field("key").props.value).toBe("");
    view.unmount();
  });

  it("an invalid key is a field error and nothing is stored", async () => {
    const view = await fill("bad", BAD);
    await view.perform("Add Key");
    await view.waitFor(() => recorded.toasts.some((t) => t.style === "failure"));
    expect(view.field("key").props.error).toBeTruthy();
    expect(recorded.toasts.at(-1)?.message).toBe("Nothing was stored. Check you copied the whole key.");
    expect((await list(f)).map((k) => k.name)).toEqual(["first"]);
    view.unmount();
  });

  it("stores a key it could not verify, and says so", async () => {
    f.fake.setBehaviour(DOWN, { status: 529 });
    const view = await fill("down", DOWN);
    await view.perform("Add Key");
    await view.waitFor(() => recorded.toasts.some((t) => t.style === "success"));
    expect(recorded.toasts.at(-1)).toMatchObject({ title: "Stored down, not verified" });
    expect((await list(f)).map((k) => k.name).sort()).toEqual(["down", "first"]);
    view.unmount();
  });

  it("creates a new profile, and the first key there becomes active", async () => {
    const view = await fill("good", GOOD, "__new__");
    await view.type("newProfile", "staging");
    await view.perform("Add Key");
    await view.waitFor(() => recorded.toasts.some((t) => t.style === "success"));
    expect(recorded.toasts.at(-1)?.message).toBe("Valid. It is now the active key of staging.");
    expect((await cliOk(f.home, ["--profile", "staging", "current"])).trim()).toBe(GOOD);
    expect(recorded.launches).toContainEqual({ name: "active-api-key", type: "background" });
    view.unmount();
  });

  it("refuses text that is not an Anthropic key before calling anyone", async () => {
    const view = await fill("junk", "not-a-key-at-all");
    await view.perform("Add Key");
    expect(view.field("key").props.error).toBe("This is not an Anthropic API key");
    expect(recorded.toasts).toEqual([]);
    expect(f.fake.requests).toEqual([]);
    view.unmount();
  });
});
