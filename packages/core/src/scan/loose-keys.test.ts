import { describe, expect, it } from "vitest";
import { propertySeed, seededRandom } from "../property-seed.ts";
import { fakeAdminKey, fakeApiKey, fakeOauthToken } from "../test-keys.ts";
import { holdsKeyLikeText, normaliseForKeySearch } from "./loose-keys.ts";

const KEY = fakeApiKey("LOOSE");
const BODY = KEY.slice("sk-ant-".length);
const FULLWIDTH = (s: string) =>
  [...s]
    .map((c) => (c >= "!" && c <= "~" ? String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0) : c))
    .join("");

describe("issue 20 item 11: the loose key finder normalises before it looks", () => {
  it("finds a key however it was spelled: spaces, zero-width characters, fullwidth, line breaks, dashes", () => {
    const spellings = [
      KEY,
      `sk-ant- ${BODY}`,
      `sk-ant-  api03- ${BODY.slice(6)}`,
      `sk-ant-\u200b${BODY}`,
      `sk-ant-\u200c${BODY}`,
      `sk-ant-\u200d${BODY}`,
      `sk-ant-\u2060${BODY}`,
      `sk-ant-\ufeff${BODY}`,
      `sk-\u00adant-${BODY}`,
      `s\u200bk\u200b-\u200ba\u200bn\u200bt\u200b-${BODY}`,
      FULLWIDTH(KEY),
      `${FULLWIDTH("sk-ant")}-${BODY}`,
      `ｓｋ－ａｎｔ－${BODY}`,
      `sk-ant-api03-\n${BODY.slice(6)}`,
      `sk-ant-\r\napi03-${BODY.slice(6)}`,
      `sk\u2010ant\u2011${BODY}`,
      `sk\u2013ant\u2014${BODY}`,
      `sk\u2212ant-${BODY}`,
      `ѕк-аnt-${BODY}`,
      `SK-ANT-${BODY}`,
      `sk-ant-\u00a0${BODY}`,
      `sk-ant-\u3000${BODY}`,
      `please use ${KEY.slice(0, 30)}`,
      `the key is ${fakeAdminKey("LOOSE")} ok`,
      `s\u0336k\u0336-ant-${BODY}`,
      fakeOauthToken("LOOSE"),
      `ſk-ant-${BODY}`,
      `\u24e2\u24da-ant-${BODY}`,
      `𝐬𝐤-𝐚𝐧𝐭-${BODY}`,
    ];
    expect(spellings.filter((s) => !holdsKeyLikeText(s))).toEqual([]);
  });

  it("does not flag ordinary text", () => {
    const ordinary = [
      "list prod",
      "use work prod",
      "rotate work-2",
      "usage 30d by model key work",
      "ask ant farm",
      "desk antenna",
      "skant",
      "task-ant",
      "sk ant",
      "what does sk-ant- mean",
      "budget set work 12.50 block",
      "rename sk-old sk-new",
      "ｌｉｓｔ ｐｒｏｄ",
      "",
    ];
    expect(ordinary.filter(holdsKeyLikeText)).toEqual([]);
  });

  it("normalises NFKC, strips invisible characters and whitespace, folds dashes", () => {
    expect(normaliseForKeySearch("ｓｋ－ａｎｔ \u200b\u00ad\ufeff x\ny\u2013z")).toBe("sk-antxy-z");
  });

  it("finds a key whatever invisible characters a seeded fuzz scatters into it (prints its seed)", () => {
    const seed = propertySeed("loose-keys fuzz", Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const rand = (n: number) => Math.floor(random() * n);
    const noise = [
      " ",
      "\t",
      "\n",
      "\u200b",
      "\u200c",
      "\u200d",
      "\u2060",
      "\ufeff",
      "\u00ad",
      "\u00a0",
      "\u3000",
    ];
    for (let i = 0; i < 500; i++) {
      const key = i % 2 ? fakeApiKey(`FZ${i}`) : fakeAdminKey(`FZ${i}`);
      let out = "";
      for (const c of key) {
        out += rand(3) === 0 ? FULLWIDTH(c) : c;
        if (rand(4) === 0) out += noise[rand(noise.length)];
      }
      expect(holdsKeyLikeText(`word ${out} word`), `seed ${seed} case ${i}`).toBe(true);
    }
  });
});
