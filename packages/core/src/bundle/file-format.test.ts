import { beforeAll, describe, expect, it } from "vitest";
import { isApikeyError } from "../errors.ts";
import { DEFAULT_SCRYPT } from "../kek/passphrase.ts";
import { BUNDLE_VERSION, openEnvelope, sealBundle } from "./file-format.ts";

// Envelope codes without a store. Each seal/open costs one scrypt at N=2^17, so only a few cases derive a key;
// the rest fail before derivation. The e2e suite covers the same codes through the CLI.

const PASS = "unit test passphrase, not secret";
const readable = (v: number) => v >= 1 && v <= BUNDLE_VERSION;

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return isApikeyError(err) ? err.code : String(err);
  }
}

describe("bundle envelope", () => {
  let text: string;
  beforeAll(async () => {
    text = await sealBundle(Buffer.from('{"hello":1}'), PASS);
  });

  it("is written at DEFAULT_SCRYPT, N=2^17, always (tests' cheap bundles come only from @apikey/core/testing)", () => {
    expect(JSON.parse(text).kdf).toMatchObject({ name: "scrypt", N: 2 ** 17, r: 8, p: 1 });
    expect(DEFAULT_SCRYPT).toEqual({ N: 2 ** 17, r: 8, p: 1 });
  });

  it("opens with the right passphrase and says which reader to use", async () => {
    const opened = await openEnvelope(text, PASS, readable);
    expect(opened.version).toBe(BUNDLE_VERSION);
    expect(opened.plaintext.toString()).toBe('{"hello":1}');
  });

  it("tells a wrong passphrase from a damaged file", async () => {
    expect(await code(openEnvelope(text, "another passphrase!", readable))).toBe("E_BUNDLE_PASSPHRASE");
    const env = JSON.parse(text);
    const ct = Buffer.from(env.ciphertext, "base64");
    ct[0] = (ct[0] ?? 0) ^ 1;
    const damaged = JSON.stringify({ ...env, ciphertext: ct.toString("base64") });
    expect(await code(openEnvelope(damaged, PASS, readable))).toBe("E_BUNDLE_CORRUPT");
  });

  it("refuses before deriving: format, versions, weak or huge KDF, empty passphrase", async () => {
    const env = JSON.parse(text);
    const variant = (patch: object) => JSON.stringify({ ...env, ...patch });
    expect(await code(openEnvelope(variant({ format: "x" }), PASS, readable))).toBe("E_BUNDLE_FORMAT");
    expect(await code(openEnvelope(variant({ version: BUNDLE_VERSION + 1 }), PASS, readable))).toBe(
      "E_BUNDLE_VERSION",
    );
    expect(await code(openEnvelope(variant({ version: 0 }), PASS, readable))).toBe("E_BUNDLE_VERSION");
    expect(await code(openEnvelope(variant({ kdf: { ...env.kdf, N: 3 } }), PASS, readable))).toBe(
      "E_BUNDLE_CORRUPT",
    );
    expect(await code(openEnvelope(variant({ kdf: { ...env.kdf, p: 64 } }), PASS, readable))).toBe(
      "E_BUNDLE_CORRUPT",
    );
    expect(await code(openEnvelope(text.slice(0, 50), PASS, readable))).toBe("E_BUNDLE_CORRUPT");
    expect(await code(openEnvelope(text, "", readable))).toBe("E_BUNDLE_PASSPHRASE");
  });

  it("refuses to seal under a short passphrase", async () => {
    expect(await code(sealBundle(Buffer.from("{}"), "eleven char"))).toBe("E_PASSPHRASE_WEAK");
  });
});
