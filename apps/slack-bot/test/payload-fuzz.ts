// Seeded mutation of Slack payloads, shared by the pure fuzz of payload.ts and the one against the real receiver.

import { seededRandom } from "@apikey/core/testing";

const REF = JSON.stringify({ profile: "prod", name: "work" });

/** A whole number below n, from the workspace's seeded generator (core's property-seed.ts). */
export function rng(seed: number) {
  const random = seededRandom(seed);
  return (n: number) => Math.floor(random() * n);
}

export function randomValue(r: (n: number) => number, depth = 0): unknown {
  const pick = r(depth > 3 ? 6 : 9);
  const strings = [
    "",
    "x",
    "prod",
    "apikey_delete",
    "0",
    "null",
    "<!channel>",
    "\u202e",
    "ｗｏｒｋ",
    "{}",
    "[]",
    REF,
  ];
  switch (pick) {
    case 0:
      return null;
    case 1:
      return r(2) === 0;
    case 2:
      return r(1_000_000) - 500;
    case 3:
      return strings[r(strings.length)];
    case 4:
      return "y".repeat(r(5000));
    case 5:
      return String.fromCodePoint(...Array.from({ length: r(20) }, () => r(0x2ffff)));
    case 6:
      return Array.from({ length: r(3) }, () => randomValue(r, depth + 1));
    case 7:
      return Object.fromEntries(Array.from({ length: r(3) }, (_, i) => [`k${i}`, randomValue(r, depth + 1)]));
    default:
      return { value: randomValue(r, depth + 1), type: strings[r(strings.length)] };
  }
}

/** Every [parent, key] in a JSON value, so one can be replaced or deleted. */
export function slots(value: unknown, out: Array<[Record<string, unknown>, string]> = []) {
  if (value && typeof value === "object") {
    for (const k of Object.keys(value)) {
      out.push([value as Record<string, unknown>, k]);
      slots((value as Record<string, unknown>)[k], out);
    }
  }
  return out;
}

/** Replaces or deletes one to three fields anywhere in `value`, in place. */
export function mutate(value: Record<string, unknown>, r: (n: number) => number): void {
  const mutations = 1 + r(3);
  for (let m = 0; m < mutations; m++) {
    const all = slots(value);
    const [parent, key] = all[r(all.length)] as [Record<string, unknown>, string];
    if (r(3) === 0) delete parent[key];
    else parent[key] = randomValue(r);
  }
}
