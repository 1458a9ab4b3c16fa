import { Transform, type TransformCallback } from "node:stream";
import { secretSpellings } from "./secret-encodings.ts";

// Conceals secrets in a byte stream (a child's stdout/stderr under `apikey exec`). A secret split across two writes
// is still found: a chunk's end that could be the start of a secret (at most longest secret − 1 bytes) is held back
// until the next chunk settles it, so every occurrence is seen whole before any of its bytes leave. Only such a
// partial match waits: a prompt or progress line that is not the start of a key comes through at once. Each secret
// is also looked for in its common encodings (secret-encodings.ts), the same way: memory stays bounded by the
// longest spelling.

export interface Concealment {
  secret: string;
  /** What is printed instead, e.g. `sk-ant-api03-…wxyz`. */
  hint: string;
}

export interface MaskStream extends Transform {
  /** Conceals one more secret from now on (an identity token renewed while the child runs). */
  conceal(concealment: Concealment): void;
}

export function createMaskStream(concealments: readonly Concealment[]): MaskStream {
  const list = [...concealments];
  let m = matcher(list);
  let tail: Buffer = Buffer.alloc(0);
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (m.pairs.length === 0) return done(null, chunk);
      const buf = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
      const end = emit(this, m, buf, false);
      // Copy: the chunk's memory may be reused by the source after we return.
      tail = Buffer.from(buf.subarray(end));
      done();
    },
    flush(done: TransformCallback) {
      if (tail.length > 0) emit(this, m, tail, true);
      tail = Buffer.alloc(0);
      done();
    },
  }) as MaskStream;
  stream.conceal = (concealment) => {
    list.push(concealment);
    m = matcher(list);
  };
  return stream;
}

interface Pair {
  secret: Buffer;
  hint: Buffer;
}

/** Every spelling to look for, longest first, with how much a chunk's end may hold back and the bytes one starts with. */
interface Matcher {
  pairs: Pair[];
  keep: number;
  firstBytes: Uint8Array;
}

function matcher(concealments: readonly Concealment[]): Matcher {
  const pairs = concealments
    .filter((c) => c.secret.length > 0)
    .flatMap((c) =>
      secretSpellings(c.secret).map((spelling) => ({
        secret: Buffer.from(spelling),
        hint: Buffer.from(c.hint),
      })),
    )
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.secret.length - a.secret.length);
  const keep = Math.max(0, ...pairs.map((p) => p.secret.length - 1));
  const firstBytes = new Uint8Array(256);
  for (const pair of pairs) firstBytes[pair.secret[0] as number] = 1;
  return { pairs, keep, firstBytes };
}

/** Writes buf with every whole secret replaced, holding back a possible partial one (unless final); returns where output stopped. */
function emit(stream: Transform, m: Matcher, buf: Buffer, final: boolean): number {
  let p = 0;
  for (;;) {
    const { at, hit } = firstMatch(m, buf, p);
    if (hit === undefined) {
      const end = final ? buf.length : holdFrom(m, buf, p);
      if (end > p) stream.push(buf.subarray(p, end));
      return end;
    }
    // A longer spelling may start here too (the padded base64 beside the unpadded one): wait to see it whole.
    if (!final && couldGrow(m, buf.subarray(at), hit.secret.length)) {
      if (at > p) stream.push(buf.subarray(p, at));
      return at;
    }
    if (at > p) stream.push(buf.subarray(p, at));
    stream.push(hit.hint);
    p = at + hit.secret.length;
  }
}

/** The earliest whole spelling in buf from p (the longest where two start at the same place). */
function firstMatch(m: Matcher, buf: Buffer, p: number): { at: number; hit: Pair | undefined } {
  let at = -1;
  let hit: Pair | undefined;
  for (const pair of m.pairs) {
    const i = buf.indexOf(pair.secret, p);
    if (i !== -1 && (at === -1 || i < at)) {
      at = i;
      hit = pair;
    }
  }
  return { at, hit };
}

/** Whether rest is a proper prefix of a spelling longer than `found` bytes. */
function couldGrow(m: Matcher, rest: Buffer, found: number): boolean {
  return m.pairs.some(
    (pair) =>
      pair.secret.length > found &&
      rest.length < pair.secret.length &&
      pair.secret.subarray(0, rest.length).equals(rest),
  );
}

/**
 * The first index from which the rest of buf is a proper prefix of a secret (buf.length if none). Only bytes that
 * start some spelling are compared, without copying: this runs on every chunk's last `keep` bytes.
 */
function holdFrom(m: Matcher, buf: Buffer, from: number): number {
  for (let i = Math.max(from, buf.length - m.keep); i < buf.length; i++) {
    if (m.firstBytes[buf[i] as number] === 0) continue;
    const rest = buf.length - i;
    for (const pair of m.pairs) {
      if (rest < pair.secret.length && pair.secret.compare(buf, i, buf.length, 0, rest) === 0) return i;
    }
  }
  return buf.length;
}
