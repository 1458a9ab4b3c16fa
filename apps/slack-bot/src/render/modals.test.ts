import { fakeApiKey } from "@apikey/core/testing";
import { describe, expect, it } from "vitest";
import { KEY_BLOCKS, keyShapedBlock } from "../guards.ts";
import { addModal, rotateModal } from "./modals.ts";
import { checked, decodeOrigin, encodeOrigin, selectedValue, textValue } from "./submission.ts";

describe("forms", () => {
  it("put the key into a block the key guard exempts, with the hint that it passes through Slack", () => {
    const add = addModal({ profile: "prod" }, encodeOrigin({ channel: "C0CHAN" }));
    const rotate = rotateModal(
      { profile: "prod", name: "work", masked: "sk-ant-api03-…wxyz", canDeactivate: true },
      "{}",
    );
    for (const view of [add, rotate]) {
      const keyBlocks = view.blocks.filter((b) => "block_id" in b && KEY_BLOCKS.has(String(b.block_id)));
      expect(keyBlocks).toHaveLength(1);
      expect(JSON.stringify(keyBlocks[0])).toContain("travels through Slack");
    }
  });

  it("offer deactivating the old key at Anthropic only when the profile has an Admin key", () => {
    const text = (canDeactivate: boolean) =>
      JSON.stringify(rotateModal({ profile: "p", name: "n", masked: "m", canDeactivate }, "{}"));
    expect(text(true)).toContain('"block_id":"upstream"');
    expect(text(true)).toContain("Leave it active");
    expect(text(false)).not.toContain('"block_id":"upstream"');
    expect(text(false)).toContain("do it in the Anthropic Console");
  });

  it("escape names so they cannot become mentions or links", () => {
    const view = rotateModal({ profile: "<!channel>", name: "*x*", masked: "m", canDeactivate: false }, "{}");
    expect(JSON.stringify(view)).not.toContain("<!channel>");
  });
});

describe("submission values", () => {
  const values = {
    name: { value: { value: " work-2 " } },
    key: { value: { value: fakeApiKey("FORM") } },
    grace: { value: { selected_option: { value: "3600000" } } },
    upstream: { value: { selected_options: [{ value: "deactivate" }] } },
    note: { value: { value: `see ${fakeApiKey("NOTE")}` } },
  };

  it("reads text, selects and checkboxes", () => {
    expect(textValue(values, "name")).toBe("work-2");
    expect(textValue(values, "missing")).toBe("");
    expect(selectedValue(values, "grace")).toBe("3600000");
    expect(checked(values, "upstream", "deactivate")).toBe(true);
  });

  it("finds a key typed outside the key field, and only there", () => {
    expect(keyShapedBlock({ state: { values } } as never)).toBe("note");
    const { note: _, ...clean } = values;
    expect(keyShapedBlock({ state: { values: clean } } as never)).toBeUndefined();
  });

  it("reads only well-formed origin metadata", () => {
    expect(decodeOrigin(encodeOrigin({ channel: "C0CHAN", profile: "prod" }))).toEqual({
      channel: "C0CHAN",
      profile: "prod",
    });
    expect(decodeOrigin("not json")).toBeUndefined();
    expect(decodeOrigin(JSON.stringify({ channel: "C0CHAN", secret: "x" }))).toBeUndefined();
  });
});
