// Vendored from packages/core/src/scan/key-stream.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { KEY_IN_TEXT, KEY_PREFIX, LONGEST_KEY } from "../key-shapes.ts";
import type { FoundKey } from "./find-keys.ts";

// Keys in a stream of bytes, in bounded memory: a file of any size, a line of any length. Each chunk is searched
// together with a carry-over window of the previous bytes just long enough to hold a key and the character before
// it, so a key split across chunks is found once, and a look-alike split across chunks is refused as it would be
// whole. Bytes are read as latin1 (one byte, one character), as the whole-text search reads them.

const PREFIX = Buffer.from(KEY_PREFIX);
const NEWLINE = 0x0a;
// The longest key, plus the character before it (the regex's look-behind).
const WINDOW = LONGEST_KEY + 1;

function countNewlines(bytes: Buffer, end = bytes.length): number {
  let n = 0;
  for (let i = bytes.indexOf(NEWLINE); i !== -1 && i < end; i = bytes.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

export interface KeyStreamScanner {
  /**
   * Searches the next bytes; returns the keys that are now known to be complete. The chunk may be reused after.
   * `last`: these are the stream's last bytes, as if end() followed (which saves the carry-over work).
   */
  push(chunk: Buffer, last?: boolean): FoundKey[];
  /** The stream ended: returns a key that ran to its very end. The scanner is then ready for another stream. */
  end(): FoundKey[];
}

export function createKeyStreamScanner(): KeyStreamScanner {
  // Two buffers reused for the whole stream (no garbage per chunk): the carry, and carry + chunk to search.
  const carryBuffer = Buffer.alloc(WINDOW);
  let carry = carryBuffer.subarray(0, 0);
  let work = Buffer.alloc(0);
  /** The line the carry starts on (1-based). */
  let carryLine = 1;

  const search = (text: Buffer, final: boolean): FoundKey[] => {
    // Matches that end inside the carry were decided last time (reported, or refused with their full context).
    const decidedUpTo = carry.length;
    if (text.indexOf(PREFIX) === -1) return [];
    const found: FoundKey[] = [];
    const str = text.toString("latin1");
    let line = carryLine;
    let counted = 0;
    for (const m of str.matchAll(KEY_IN_TEXT)) {
      const at = m.index ?? 0;
      const endsAt = at + m[0].length;
      if (endsAt < decidedUpTo) continue;
      // A key that reaches the end of what we have may go on in the next chunk: decide it then.
      if (endsAt === str.length && !final) continue;
      line += countNewlines(text.subarray(counted, at));
      counted = at;
      found.push({ secret: m[0], line });
    }
    return found;
  };

  const reset = () => {
    carry = carryBuffer.subarray(0, 0);
    carryLine = 1;
  };

  return {
    push(chunk, last = false) {
      if (chunk.length === 0) return last ? this.end() : [];
      const length = carry.length + chunk.length;
      let text = chunk;
      if (carry.length > 0) {
        if (work.length < length) work = Buffer.allocUnsafe(length);
        carry.copy(work, 0);
        chunk.copy(work, carry.length);
        text = work.subarray(0, length);
      }
      const found = search(text, last);
      if (last) {
        reset();
        return found;
      }
      const keepFrom = Math.max(0, length - WINDOW);
      carryLine += countNewlines(text, keepFrom);
      carry = carryBuffer.subarray(0, text.copy(carryBuffer, 0, keepFrom));
      return found;
    },
    end() {
      const found = carry.length > 0 ? search(carry, true) : [];
      reset();
      return found;
    },
  };
}
