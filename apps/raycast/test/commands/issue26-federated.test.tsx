import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { filesContaining } from "../../../../tests/fixtures/cli.ts";
import { fakeApiKey } from "../../../../tests/fixtures/keys.ts";
import RotateApiKey from "../../src/rotate-api-key.tsx";
import SwitchApiKey from "../../src/switch-api-key.tsx";
import { render } from "../render.tsx";
import { cliOk, type Fixture, makeFixture, seedKey } from "../store-fixture.ts";

// Issue 26: a federated key in the Raycast extension (the mock host, a real store made by the CLI). The list shows
// it as core's view does ("federated — nothing to rotate"), Rotate is not offered for it (core's KeyListItem says a
// rotation would be refused), and no identity token reaches the extension's cache.

const WORK = fakeApiKey("RAYCAST_FED_WORK");
const RULE = "fdrl_FAKE_TEST_raycast";
const IDENTITY = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJGQUtFX1RFU1RfcmF5Y2FzdCJ9.FAKE_TEST_SIGNATURE";

describe("issue 26: a federated key in Raycast", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture([WORK]);
    await seedKey(f, "work", WORK);
    const identityFile = join(f.home.root, "identity-token.jwt");
    writeFileSync(identityFile, IDENTITY, { mode: 0o600 });
    await cliOk(f.home, [
      "add",
      "team",
      "--federated",
      "--rule",
      RULE,
      "--org",
      "00000000-0000-4000-8000-0000000ca5e1",
      "--identity-token-file",
      identityFile,
      "--no-validate",
    ]);
  });
  afterEach(() => f.cleanup());

  it("the list shows it as federated, nothing to rotate, and offers no Rotate action", async () => {
    const view = await render(<SwitchApiKey />);
    await view.waitFor(() => view.items().length === 2);
    const team = view.item("team");
    expect(team.props.subtitle).toBe(`federated — nothing to rotate (${RULE})`);
    expect(view.actionTitles(team)).not.toContain("Rotate…");
    expect(view.actionTitles(view.item("work"))).toContain("Rotate…");
    view.unmount();
    expect(await filesContaining(f.raycastDir, [IDENTITY])).toEqual([]);
  });

  it("the Rotate command does not offer it", async () => {
    const view = await render(<RotateApiKey />);
    await view.waitFor(() => view.all("Form.Dropdown.Item").some((i) => i.props.title === "work (default)"));
    const titles = view.all("Form.Dropdown.Item").map((i) => i.props.title);
    expect(titles).not.toContain("team (default)");
    view.unmount();
  });
});
