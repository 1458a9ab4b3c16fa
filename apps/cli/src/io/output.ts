import { stripVTControlCharacters, styleText } from "node:util";
import { escapeBlock, escapeCell, escapeControl, escapeValuesIn } from "./escape.ts";

// All stdout/stderr writing goes through here so --json and NO_COLOR are decided in one place, and so is escaping:
// human text never carries a control character we did not put there (JSON escapes its own). A result's human text
// is built from its value, and every string in that value came from the store, a file, an argument or a server:
// each is shown escaped wherever the text holds it, line breaks and tabs too; table cells are escaped by table().

export interface Output {
  json: boolean;
  color: boolean;
  /** A result: JSON when --json, else the human text. */
  result(value: unknown, human: () => string): void;
  /** A remark for the person (progress, warnings): stderr, never in the way of piped stdout. */
  note(text: string): void;
  warn(text: string): void;
  style(format: Parameters<typeof styleText>[0], text: string): string;
}

export function createOutput(options: { json: boolean; color: boolean }): Output {
  const color = options.color && process.stderr.isTTY === true;
  const style: Output["style"] = (format, text) => (color ? styleText(format, text) : text);
  return {
    json: options.json,
    color,
    style,
    result(value, human) {
      const text = options.json
        ? JSON.stringify(value, null, 2)
        : escapeBlock(escapeValuesIn(human(), stringsIn(value)), color);
      if (text) process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    },
    note(text) {
      if (!options.json) process.stderr.write(`${escapeControl(text)}\n`);
    },
    warn(text) {
      process.stderr.write(`${style("yellow", "warning:")} ${escapeControl(text)}\n`);
    },
  };
}

/** Every string in a result's value (keys and leaves), at any depth. */
function* stringsIn(value: unknown, depth = 0): Generator<string> {
  if (typeof value === "string") yield value;
  else if (value !== null && typeof value === "object" && depth < 32) {
    for (const [k, v] of Object.entries(value)) {
      if (!Array.isArray(value)) yield k;
      yield* stringsIn(v, depth + 1);
    }
  }
}

/** A plain text table; columns sized to content. Each cell is one line: what it holds is escaped (escapeCell). */
export function table(headers: string[], rawRows: string[][]): string {
  const rows = rawRows.map((r) => r.map(escapeCell));
  // Width as seen on screen: colour codes take no columns.
  const width = (cell: string) => stripVTControlCharacters(cell).length;
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => width(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + " ".repeat(Math.max(0, (widths[i] ?? 0) - width(c))))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/** "3 min ago", "2 d ago", or "never". */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}
