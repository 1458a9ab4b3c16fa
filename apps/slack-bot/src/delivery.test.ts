import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkDelivery, httpDeliveryName, socketDeliveryName } from "./delivery.ts";

const SECRET = "0123456789abcdef0123456789abcdef";
const NOW_MS = 1_796_000_000_000;
const TS = NOW_MS / 1000;
const BODY = "command=%2Fapikey&text=list";
const hex = (ts: number, body = BODY) =>
  createHmac("sha256", SECRET).update(`v0:${ts}:${body}`).digest("hex");
const check = (sig: unknown, ts: unknown, body = BODY) =>
  checkDelivery({
    headers: { "x-slack-signature": sig as string, "x-slack-request-timestamp": ts as string },
    body,
    signingSecret: SECRET,
    nowMs: NOW_MS,
  });

describe("checkDelivery", () => {
  it("takes Slack's own spelling and names the delivery by the verified timestamp and digest", () => {
    const ok = check(`v0=${hex(TS)}`, String(TS));
    expect(ok).toMatchObject({ ok: true, timestamp: TS, digest: hex(TS) });
    expect(ok.ok && ok.name).toBe(httpDeliveryName(TS, hex(TS).toUpperCase()));
    expect(ok.ok && ok.name).not.toBe(httpDeliveryName(TS + 1, hex(TS)));
  });

  it("refuses every other spelling with a reason code", () => {
    const h = hex(TS);
    expect(check(`v0=${h}=`, String(TS))).toEqual({ ok: false, reason: "signature-form" });
    expect(check(`v0=${h.toUpperCase()}`, String(TS))).toEqual({ ok: false, reason: "signature-form" });
    expect(check([`v0=${h}`, `v0=${h}`], String(TS))).toEqual({ ok: false, reason: "signature-form" });
    for (const ts of [`${TS}.0`, `+${TS}`, `0${TS}`, `${TS}e0`, `0x${TS.toString(16)}`, ` ${TS}`, "", "-1"])
      expect(check(`v0=${h}`, ts), ts).toEqual({ ok: false, reason: "timestamp-form" });
    expect(check(`v0=${hex(TS - 301)}`, String(TS - 301))).toEqual({ ok: false, reason: "timestamp-stale" });
    expect(check(`v0=${hex(TS + 301)}`, String(TS + 301))).toEqual({ ok: false, reason: "timestamp-future" });
    expect(check(`v0=${"0".repeat(64)}`, String(TS))).toEqual({ ok: false, reason: "signature-mismatch" });
    expect(check(`v0=${h}`, String(TS), `${BODY}x`)).toEqual({ ok: false, reason: "signature-mismatch" });
    expect(check(undefined, String(TS))).toEqual({ ok: false, reason: "signature-missing" });
    expect(check(`v0=${h}`, undefined)).toEqual({ ok: false, reason: "timestamp-missing" });
  });
});

describe("socketDeliveryName", () => {
  it("names a UUID in any case the same, and nothing that is not a plain id", () => {
    const id = "57d6a792-4d35-4d0f-b8d0-3d2f00000000";
    expect(socketDeliveryName(id.toUpperCase())).toBe(socketDeliveryName(id));
    for (const bad of [undefined, 7, "", " x", "x".repeat(65), `${id}\n`, { id }])
      expect(socketDeliveryName(bad)).toBeUndefined();
  });
});
