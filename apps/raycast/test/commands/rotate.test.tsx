import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeAdminKey, fakeApiKey } from "../../../../tests/fixtures/keys.ts";
import RotateApiKey from "../../src/rotate-api-key.tsx";
import { recorded } from "../mock/raycast-api.tsx";
import { render } from "../render.tsx";
import { cliOk, type Fixture, makeFixture, seedKey } from "../store-fixture.ts";

const OLD = fakeApiKey("RAYCAST_ROT_OLD");
const NEW = fakeApiKey("RAYCAST_ROT_NEW");
const BAD = fakeApiKey("RAYCAST_ROT_BAD");

describe("Rotate API Key", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture([OLD, NEW]);
    await seedKey(f, "work", OLD);
  });
  afterEach(() => f.cleanup());

  it("replaces the key, keeps it active, and reports the upstream plan as the CLI does", async () => {
    const view = await render(<RotateApiKey />);
    await view.waitFor(() => view.all("Form.Dropdown.Item").some((i) => i.props.title === "work (default)"));
    expect(view.one("Form.Description").props.text).toMatch(/No Admin key is stored/);
    await view.type("key", "default/work");
    await view.type("newKey", NEW);
    await view.type("grace", "60");
    await view.perform("Rotate Key");
    await view.waitFor(() => recorded.toasts.some((t) => t.style === "success"));
    expect(recorded.toasts.at(-1)).toMatchObject({
      title: expect.stringMatching(/^Rotated work: sk-ant-api03-….+ → sk-ant-api03-…/),
      message: "No Admin key: deactivate the old key in the Anthropic Console.",
    });
    expect((await cliOk(f.home, ["current"])).trim()).toBe(NEW);
    const audit = JSON.parse(await cliOk(f.home, ["--json", "audit", "--limit", "1"]));
    expect(audit[0]).toMatchObject({ action: "key.rotate", front: "raycast" });
    expect(view.field("newKey").props.value).toBe("");
    view.unmount();
  });

  it("an invalid new key changes nothing", async () => {
    const view = await render(<RotateApiKey />);
    await view.waitFor(() => view.all("Form.Dropdown.Item").length > 4);
    await view.type("key", "default/work");
    await view.type("newKey", BAD);
    await view.perform("Rotate Key");
    await view.waitFor(() => recorded.toasts.some((t) => t.style === "failure"));
    expect((await cliOk(f.home, ["current"])).trim()).toBe(OLD);
    view.unmount();
  });

  it("with an Admin key stored, the old key is deactivated upstream after the grace period", async () => {
    await seedKey(f, "admin", fakeAdminKey("RAYCAST_ROT_ADMIN"));
    const view = await render(<RotateApiKey />);
    await view.waitFor(() => String(view.one("Form.Description").props.text).startsWith("An Admin key is stored"));
    await view.type("key", "default/work");
    await view.type("newKey", NEW);
    await view.type("grace", "60");
    await view.perform("Rotate Key");
    await view.waitFor(() => recorded.toasts.some((t) => t.style === "success"));
    expect(recorded.toasts.at(-1)?.message).toMatch(/^The old key is deactivated at Anthropic after .+\.$/);
    view.unmount();
  });
});
