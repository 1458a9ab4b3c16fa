import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { recordUsageMany } from "../../vendor/core/testing.ts";
import { openStore } from "../../vendor/storage/node-sqlite.ts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeApiKey } from "../../../../tests/fixtures/keys.ts";
import ActiveApiKey from "../../src/active-api-key.tsx";
import ApiKeyUsage from "../../src/api-key-usage.tsx";
import CopyActiveApiKey from "../../src/copy-active-api-key.ts";
import { recorded } from "../mock/raycast-api.tsx";
import { render } from "../render.tsx";
import { cliOk, type Fixture, makeFixture, workSideAndProd } from "../store-fixture.ts";

const WORK = fakeApiKey("RAYCAST_MB_WORK");
const SIDE = fakeApiKey("RAYCAST_MB_SIDE");
const PROD = fakeApiKey("RAYCAST_MB_PROD");

// Made by the CLI once, copied into each test's home.
const seeded = workSideAndProd(WORK, SIDE, PROD);

describe("usage, menu bar and copy", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture([], seeded);
  });
  afterEach(() => f.cleanup());

  it("API Key Usage shows totals, per-model, per-key and per-token rows, budgets and a chart file", async () => {
    const listed = JSON.parse(await cliOk(f.home, ["--json", "list"])) as Array<{ id: string; name: string }>;
    const work = listed.find((k) => k.name === "work");
    await cliOk(f.home, ["proxy", "token", "create", "alice"]);
    const tokens = JSON.parse(await cliOk(f.home, ["--json", "proxy", "token", "list"])) as Array<{ id: string }>;
    const store = await openStore({ path: f.home.storePath });
    const now = new Date();
    await recordUsageMany(
      store,
      [1, 2, 3].map((i) => ({
        keyId: work?.id ?? "",
        // One of the three came through the gateway with alice's token.
        ...(i === 1 ? { tokenId: tokens[0]?.id ?? "" } : {}),
        at: new Date(now.getTime() - i * 3_600_000),
        model: "claude-sonnet-4-5",
        inputTokens: 100_000,
        outputTokens: 10_000,
        cacheCreationTokens: 0,
        cacheReadTokens: 0,
        requestId: `req_${i}`,
        front: "gateway",
      })),
      now,
    );
    await store.close();
    await cliOk(f.home, ["budget", "set", "work", "1"]);

    const view = await render(<ApiKeyUsage />);
    const detail = await view.waitFor(() => {
      const d = view.one("Detail");
      // The chart is written after render (an effect), so its link arrives a moment after the tables.
      return (
        typeof d.props.markdown === "string" &&
        d.props.markdown.includes("By Model") &&
        d.props.markdown.includes("file://") &&
        d
      );
    });
    const markdown = String(detail.props.markdown);
    expect(markdown).toMatch(/^## Spend, last 30 days: \$\d+\.\d\d/);
    expect(markdown).toContain("| claude-sonnet-4-5 | 3 | 300,000 | 30,000 |");
    expect(markdown).toContain("| default/work | 3 |");
    expect(markdown).toContain("### By Gateway Token");
    expect(markdown).toContain("| alice | 1 |");
    expect(markdown).toContain("| (no token) | 2 |");
    const chart = join(f.raycastDir, "support", "usage-30d.svg");
    expect(markdown).toContain(`file://${chart}`);
    expect(readFileSync(chart, "utf8")).toMatch(/^<svg[\s\S]*<rect[\s\S]*<\/svg>$/);
    const budget = view.all("Detail.Metadata.TagList.Item")[0];
    expect(budget?.props.text).toMatch(/^\$\d+\.\d\d \/ \$1\.00: /);

    await view.perform("Show 7 Days");
    await view.waitFor(() => {
      const md = String(view.one("Detail").props.markdown);
      return md.startsWith("## Spend, last 7 days") && md.includes("usage-7d.svg");
    });
    expect(existsSync(join(f.raycastDir, "support", "usage-7d.svg"))).toBe(true);
    view.unmount();
  });

  it("the menu bar shows the default profile's active key and switches in one click", async () => {
    const view = await render(<ActiveApiKey />);
    const bar = await view.waitFor(() => {
      const b = view.one("MenuBarExtra");
      return b.props.title === "work" && b;
    });
    expect(bar.props.tooltip).toMatch(/^work: sk-ant-api03-…/);
    expect(view.all("MenuBarExtra.Section").map((s) => s.props.title)).toEqual(["default", "prod", undefined]);
    await view.perform("side");
    await view.waitFor(() => view.one("MenuBarExtra").props.title === "side");
    expect((await cliOk(f.home, ["current"])).trim()).toBe(SIDE);

    await view.perform("Copy Active Key");
    await view.waitFor(() => recorded.huds.length > 0);
    expect(recorded.copies).toEqual([{ content: SIDE, concealed: true }]);
    expect(recorded.huds).toEqual(["Copied side"]);
    view.unmount();
  });

  it("Copy Active API Key copies concealed and names the key in a HUD", async () => {
    await CopyActiveApiKey();
    expect(recorded.copies).toEqual([{ content: WORK, concealed: true }]);
    expect(recorded.huds).toEqual(["Copied work"]);
    const audit = JSON.parse(await cliOk(f.home, ["--json", "audit", "--limit", "1"]));
    expect(audit[0]).toMatchObject({ action: "key.reveal", front: "raycast" });
  });

  it("Copy Active API Key with no active key says what to do", async () => {
    await cliOk(f.home, ["delete", "--yes", "work"]);
    await CopyActiveApiKey();
    expect(recorded.copies).toEqual([]);
    expect(recorded.huds[0]).toMatch(/no active key\. Pick one with Use This Key in Switch API Key\./);
  });
});
