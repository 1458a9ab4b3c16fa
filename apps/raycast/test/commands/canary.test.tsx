import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { filesContaining, leakNeedles, walk } from "../../../../tests/fixtures/cli.ts";
import { fakeApiKey, fakeKeyBody } from "../../../../tests/fixtures/keys.ts";
import AddApiKey from "../../src/add-api-key.tsx";
import ActiveApiKey from "../../src/active-api-key.tsx";
import { addKey, rotateKey } from "../../src/data/actions.ts";
import SwitchApiKey from "../../src/switch-api-key.tsx";
import { recorded } from "../mock/raycast-api.tsx";
import { render, type View } from "../render.tsx";
import { cliOk, type Fixture, makeFixture, seedKey } from "../store-fixture.ts";

// A fake key added and rotated through the extension must never reach a toast, a HUD, a log line, an alert, an
// error, a Cache file or any file under the data directory; copies must be concealed.
const LABELS = ["RAYCAST_CANARY_ONE", "RAYCAST_CANARY_TWO", "RAYCAST_CANARY_BAD"] as const;
const [ONE, TWO, BAD] = LABELS.map((l) => fakeApiKey(l)) as [string, string, string];
const needles = LABELS.flatMap((l) => leakNeedles(fakeApiKey(l), fakeKeyBody(l, "api")));
const leaks = (text: string) => needles.some((n) => text.includes(n.toString("utf8")));

describe("canary", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture([ONE, TWO]);
    await seedKey(f, "base", fakeApiKey("RAYCAST_CANARY_BASE"));
  });
  afterEach(() => f.cleanup());

  async function submitAdd(name: string, key: string) {
    const view = await render(<AddApiKey />);
    await view.waitFor(() => view.all("Form.Dropdown.Item").length >= 2);
    await view.type("name", name);
    await view.type("key", key);
    const before = recorded.toasts.length;
    await view.perform("Add Key");
    await view.waitFor(() => recorded.toasts.slice(before).some((t) => t.style !== "animated"));
    view.unmount();
  }

  async function onItem(view: View, item: string, action: string) {
    await view.waitFor(() => view.all("List.Item").some((i) => i.props.title === item));
    await view.perform(action, view.item(item));
  }

  it("never leaks a key the extension handled", async () => {
    await submitAdd("canary", ONE);
    await submitAdd("again", ONE); // duplicate: an error that must not quote the key
    await submitAdd("bad", BAD); // rejected by the API

    const list = await render(<SwitchApiKey />);
    await onItem(list, "canary", "Copy Key");
    await onItem(list, "canary", "Paste Key");
    await onItem(list, "canary", "Validate");
    await onItem(list, "canary", "Use This Key");
    await onItem(list, "canary", "Rotate…");
    await list.waitFor(() => list.all("Form.PasswordField").length === 1);
    await list.type("newKey", TWO);
    await list.perform("Rotate Key");
    await list.waitFor(() => recorded.toasts.some((t) => t.title.startsWith("Rotated canary")));
    await list.waitFor(() => list.depth === 1 && list.all("List.Item").length > 0);
    list.unmount();

    const bar = await render(<ActiveApiKey />);
    await bar.waitFor(() => bar.one("MenuBarExtra").props.title === "canary");
    await bar.perform("Copy Active Key");
    bar.unmount();

    // Errors thrown by the data module itself (what a failure report would carry).
    const errors: unknown[] = [];
    await addKey({ name: "dup", profile: "default", createProfile: false, secret: TWO }).catch((e) => errors.push(e));
    await rotateKey({ name: "canary", profile: "default", newSecret: BAD, graceMinutes: 15 }).catch((e) =>
      errors.push(e),
    );
    expect(errors).toHaveLength(2);

    // The store afterwards: the rotated key is active and `apikey current` gives the new secret.
    expect((await cliOk(f.home, ["current"])).trim()).toBe(TWO);

    expect(recorded.copies.length).toBeGreaterThanOrEqual(2);
    expect(recorded.copies.every((c) => c.concealed)).toBe(true);
    expect(recorded.pastes).toEqual([ONE]);
    const said = JSON.stringify({
      toasts: recorded.toasts,
      huds: recorded.huds,
      logs: recorded.logs,
      alerts: recorded.alerts,
      launches: recorded.launches,
      errors: errors.map((e) => [String(e), (e as Error).stack, JSON.stringify(e)]),
    });
    expect(recorded.toasts.length).toBeGreaterThan(8);
    expect(leaks(`x${ONE}x`)).toBe(true); // the detector itself works
    expect(leaks(said)).toBe(false);
    expect(await filesContaining(f.raycastDir, needles)).toEqual([]);
    expect(await filesContaining(f.home.dataDir, needles)).toEqual([]);
    // The cache did get written (so the scan above looked at something).
    expect(await walk(`${f.raycastDir}/cache`)).not.toEqual([]);
  });
});
