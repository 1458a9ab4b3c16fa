// Draws assets/icon.png (512×512): a white key on a warm clay tile. A filled tile with a light glyph reads on both
// Raycast's light and dark backgrounds, so one file serves both. Run `pnpm icon` after changing the shapes.
// Written with node:zlib only, so nothing needs installing.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";

const SIZE = 512;
const SAMPLES = 4; // per axis: 16 samples per pixel smooth the edges

const insideRoundedRect = (x, y, x0, y0, x1, y1, r) => {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};

// The key lies along the x axis in its own frame, then turns 45° about the tile's centre.
const insideKey = (px, py) => {
  const a = Math.PI / 4;
  const dx = px - 256;
  const dy = py - 256;
  const x = dx * Math.cos(a) + dy * Math.sin(a) + 20;
  const y = -dx * Math.sin(a) + dy * Math.cos(a);
  const d = Math.hypot(x + 105, y);
  const bow = d <= 82 && d >= 36;
  const shaft = x >= -30 && x <= 160 && Math.abs(y) <= 20;
  const bit1 = x >= 100 && x <= 128 && y >= 0 && y <= 70;
  const bit2 = x >= 140 && x <= 160 && y >= 0 && y <= 54;
  return bow || shaft || bit1 || bit2;
};

const top = [224, 138, 102];
const bottom = [178, 78, 44];
const rows = [];
for (let py = 0; py < SIZE; py++) {
  const row = Buffer.alloc(1 + SIZE * 4); // leading 0: PNG filter "none"
  for (let px = 0; px < SIZE; px++) {
    let tile = 0;
    let glyph = 0;
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const x = px + (sx + 0.5) / SAMPLES;
        const y = py + (sy + 0.5) / SAMPLES;
        if (insideRoundedRect(x, y, 28, 28, 484, 484, 104)) {
          tile++;
          if (insideKey(x, y)) glyph++;
        }
      }
    }
    const n = SAMPLES * SAMPLES;
    const t = py / SIZE;
    const base = top.map((c, i) => c + (bottom[i] - c) * t);
    const g = tile === 0 ? 0 : glyph / tile;
    const rgb = base.map((c) => Math.round(c + (255 - c) * g));
    row.set([...rgb, Math.round((255 * tile) / n)], 1 + px * 4);
  }
  rows.push(row);
}

const chunk = (type, data) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk("IHDR", ihdr),
  chunk("IDAT", deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk("IEND", Buffer.alloc(0)),
]);
const out = join(dirname(fileURLToPath(import.meta.url)), "..", "assets", "icon.png");
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
