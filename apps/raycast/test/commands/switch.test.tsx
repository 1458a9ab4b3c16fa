import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeApiKey } from "../../../../tests/fixtures/keys.ts";
import SwitchApiKey from "../../src/switch-api-key.tsx";
import { recorded } from "../mock/raycast-api.tsx";
import { render } from "../render.tsx";
import { cli, cliOk, type Fixture, makeFixture, workSideAndProd } from "../store-fixture.ts";

const WORK = fakeApiKey("RAYCAST_WORK");
const SIDE = fakeApiKey("RAYCAST_SIDE");
const PROD = fakeApiKey("RAYCAST_PROD");

// Made by the CLI once, copied into each test's home.
const seeded = workSideAndProd(WORK, SIDE, PROD);

describe("Switch API Key", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture([WORK, SIDE, PROD], seeded);
  });
  afterEach(() => f.cleanup());

  it("lists keys grouped by profile with the active one marked", async () => {
    const view = await render(<SwitchApiKey />);
    const items = await view.waitFor(() => view.items().length === 3 && view.items());
    expect(view.all("List.Section").map((s) => s.props.title)).toEqual(["default", "prod"]);
    expect(items.map((i) => i.title)).toEqual(["work", "side", "main"]);
    const work = items[0];
    expect(work?.subtitle).toMatch(/^sk-ant-api03-…/);
    expect(work?.props.accessories).toContainEqual(
      expect.objectContaining({ tag: expect.objectContaining({ value: "Active" }) }),
    );
    expect(items[1]?.props.accessories).not.toContainEqual(
      expect.objectContaining({ tag: expect.objectContaining({ value: "Active" }) }),
    );
    expect(view.actionTitles(view.item("side"))).toEqual([
      "Use This Key",
      "Copy Key",
      "Paste Key",
      "Validate",
      "Rotate…",
      "Rename",
      "Disable Key",
      "Show Usage",
      "Delete…",
    ]);
    view.unmount();
  });

  it("Use This Key switches the profile's active key, seen by `apikey current`", async () => {
    const view = await render(<SwitchApiKey />);
    await view.waitFor(() => view.items().length === 3);
    await view.perform("Use This Key", view.item("side"));
    await view.waitFor(() => recorded.toasts.some((t) => t.style === "success"));
    expect(recorded.toasts.at(-1)).toMatchObject({ style: "success", title: "Now using side" });
    expect(recorded.launches).toContainEqual({ name: "active-api-key", type: "background" });
    expect((await cliOk(f.home, ["current"])).trim()).toBe(SIDE);
    const audit = JSON.parse(await cliOk(f.home, ["--json", "audit", "--limit", "1"]));
    expect(audit[0]).toMatchObject({ action: "key.use", front: "raycast" });
    expect(audit[0].actor).toMatch(/^raycast:/);
    // The list repaints with the new active key.
    await view.waitFor(() =>
      (view.item("side").props.accessories as Array<{ tag?: { value: string } }>).some(
        (a) => a.tag?.value === "Active",
      ),
    );
    view.unmount();
  });

  it("Copy Key copies concealed and shows the name only", async () => {
    const view = await render(<SwitchApiKey />);
    await view.waitFor(() => view.items().length === 3);
    await view.perform("Copy Key", view.item("work"));
    await view.waitFor(() => recorded.huds.length > 0);
    expect(recorded.copies).toEqual([{ content: WORK, concealed: true }]);
    expect(recorded.huds).toEqual(["Copied work"]);
    view.unmount();
  });

  it("Delete… asks first and removes the key", async () => {
    const view = await render(<SwitchApiKey />);
    await view.waitFor(() => view.items().length === 3);
    await view.perform("Delete…", view.item("side"));
    await view.waitFor(() => view.items().length === 2);
    expect(recorded.alerts[0]).toMatchObject({ title: "Delete side?", primary: "Delete Key" });
    const listed = JSON.parse(await cliOk(f.home, ["--json", "list"])) as Array<{ name: string }>;
    expect(listed.map((k) => k.name).sort()).toEqual(["main", "work"]);
    const run = await cli(f.home, ["--json", "show", "side"]);
    expect(run.code).not.toBe(0);
    view.unmount();
  });

  it("Rename pushes a form; the CLI sees the new name", async () => {
    const view = await render(<SwitchApiKey />);
    await view.waitFor(() => view.items().length === 3);
    await view.perform("Rename", view.item("side"));
    expect(view.depth).toBe(2);
    await view.type("name", "personal");
    await view.perform("Rename Key");
    await view.waitFor(() => view.depth === 1 && view.items().some((i) => i.title === "personal"));
    const listed = JSON.parse(await cliOk(f.home, ["--json", "list"])) as Array<{ name: string }>;
    expect(listed.map((k) => k.name).sort()).toEqual(["main", "personal", "work"]);
    view.unmount();
  });

  it("Disable Key hides Use This Key and marks the row; Enable Key brings it back", async () => {
    const view = await render(<SwitchApiKey />);
    await view.waitFor(() => view.items().length === 3);
    await view.perform("Disable Key", view.item("side"));
    await view.waitFor(() => view.actionTitles(view.item("side")).includes("Enable Key"));
    expect(view.actionTitles(view.item("side"))).not.toContain("Use This Key");
    expect(view.item("side").props.accessories).toContainEqual({ tag: { value: "Disabled", color: "SecondaryText" } });
    const disabled = JSON.parse(await cliOk(f.home, ["--json", "show", "side"])) as { status: string };
    expect(disabled.status).toBe("disabled");
    await view.perform("Enable Key", view.item("side"));
    await view.waitFor(() => view.actionTitles(view.item("side")).includes("Use This Key"));
    view.unmount();
  });

  it("a change made in the CLI shows up the next time the command opens", async () => {
    const first = await render(<SwitchApiKey />);
    await first.waitFor(() => first.items().length === 3);
    first.unmount();
    await cliOk(f.home, ["rename", "work", "renamed-in-cli"]);
    const again = await render(<SwitchApiKey />);
    await again.waitFor(() => again.items().some((i) => i.title === "renamed-in-cli"));
    again.unmount();
  });

  it("the profile dropdown filters the list", async () => {
    const view = await render(<SwitchApiKey />);
    await view.waitFor(() => view.items().length === 3);
    expect(view.all("List.Dropdown.Item").map((i) => i.props.title)).toEqual(["All Profiles", "default", "prod"]);
    await view.choose("List.Dropdown", "prod");
    expect(view.items().map((i) => i.title)).toEqual(["main"]);
    view.unmount();
  });
});
