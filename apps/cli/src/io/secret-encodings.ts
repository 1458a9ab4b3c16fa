// The spellings of a secret that `apikey exec` masks besides the secret itself: the encodings a program commonly
// prints a credential in without meaning to (a Basic auth header, a Kubernetes secret, a hex dump, a query string, a
// JSON log line). A program that means to hide a key from the mask can always re-spell it; this is about accidents.
// Not covered (docs/guides/everyday.md, "Masked output"): other encodings (base32, gzip, mixed-case hex…), a secret cut by other
// output, and a secret split between stdout and stderr (two pipes: their order is lost, nothing can rejoin them).

/** Shorter derived spellings are left out: they could match unrelated output. */
const MIN_LENGTH = 12;

export function secretSpellings(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const out = new Set<string>([secret]);
  const add = (s: string) => {
    if (s.length >= MIN_LENGTH) out.add(s);
  };
  for (const alphabet of ["base64", "base64url"] as const) {
    // The secret encoded alone, with its padding or without…
    add(bytes.toString(alphabet));
    add(bytes.toString(alphabet).replace(/=+$/, ""));
    // …and inside a longer encoded text (`user:KEY` in a Basic header), where it starts 0, 1 or 2 bytes into a
    // 3-byte group: only the 4-character groups made of the secret's bytes alone are certain.
    for (const offset of [0, 1, 2]) {
      const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(alphabet);
      const whole = Math.floor((offset + bytes.length) / 3) * 4;
      add(encoded.slice(offset === 0 ? 0 : 4, whole));
    }
  }
  const hex = bytes.toString("hex");
  add(hex);
  add(hex.toUpperCase());
  // Percent-encoding: of the characters that need it (encodeURIComponent; lower-case hex too), and of every byte.
  const uri = encodeURIComponent(secret);
  if (uri !== secret) {
    add(uri);
    add(uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  }
  add(hex.replace(/../g, "%$&").toUpperCase());
  add(hex.replace(/../g, "%$&"));
  // JSON string escaping (and `\/`, which some encoders add).
  const json = JSON.stringify(secret).slice(1, -1);
  add(json);
  add(json.replaceAll("/", "\\/"));
  return [...out];
}
