import { describe, expect, it } from "vitest";
import { fakeAdminKey, fakeApiKey, fakeOauthToken } from "../test-keys.ts";
import { findKeysInText } from "./find-keys.ts";

describe("findKeysInText", () => {
  it("finds each shape with its line", () => {
    const text = `a\nKEY=${fakeApiKey("S1")}\n"admin": "${fakeAdminKey("S2")}", t=${fakeOauthToken("S3")}\n`;
    expect(findKeysInText(text)).toEqual([
      { secret: fakeApiKey("S1"), line: 2 },
      { secret: fakeAdminKey("S2"), line: 3 },
      { secret: fakeOauthToken("S3"), line: 3 },
    ]);
  });

  it("finds nothing in look-alikes: wrong length, wrong prefix, wrong suffix", () => {
    const k = fakeApiKey("LOOK");
    const lookAlikes = [
      `${k}x`,
      `${k.slice(0, -3)}AA`,
      `x${k}`,
      k.replace("sk-ant-api03-", "sk-ant-api04-"),
      k.replace("sk-ant-", "sk-abc-"),
      `${k.slice(0, -2)}BB`,
      "sk-ant-oat01-short",
    ];
    expect(findKeysInText(lookAlikes.join("\n"))).toEqual([]);
  });
});
