// How a cost grows between steps of 10× the work (issue 25, item 5). Flat or linear is fine; a 10× step that
// costs more than LINEAR_LIMIT× is worse than linear: a defect to fix or explain.

/** Above this, a 10× step costs more than linear (10×) plus the noise of a shared machine. */
export const LINEAR_LIMIT = 12;
/** Up to this, a 10× step is flat (the cost does not depend on the amount of work). */
export const FLAT_LIMIT = 2;

/**
 * The ratio between each step's cost and the one before (for a rate, where higher is better, the inverse), and
 * the verdict on each ratio brought to a 10× step: 10 → 1,000 keys is a 100× step, where linear costs 100×.
 */
export function growth(sizes, values, { higherIsBetter = false } = {}) {
  const ratios = [];
  const perTenfold = [];
  for (let i = 1; i < values.length; i++) {
    const r = higherIsBetter ? values[i - 1] / values[i] : values[i] / values[i - 1];
    ratios.push(r);
    perTenfold.push(r ** (1 / Math.log10(sizes[i] / sizes[i - 1])));
  }
  const worst = Math.max(...perTenfold);
  const verdict = !Number.isFinite(worst)
    ? "not measured"
    : worst <= FLAT_LIMIT
      ? "flat"
      : worst <= LINEAR_LIMIT
        ? "linear or better"
        : "WORSE THAN LINEAR";
  return { ratios, verdict, defect: verdict === "WORSE THAN LINEAR" };
}

/** One row of the table: what was measured at each step, the ratios between steps and the verdict. */
export function row(name, sizes, values, unit, options = {}) {
  const steps = sizes.map((n) => n.toLocaleString("en-US"));
  return {
    name,
    steps,
    values,
    unit,
    ...growth(sizes, values, options),
    ...(options.note && { note: options.note }),
  };
}

const fmt = (v, unit) =>
  v === null || v === undefined || Number.isNaN(v)
    ? "—"
    : unit === "MB" || unit === "ms"
      ? `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ${unit}`
      : `${Math.round(v).toLocaleString("en-US")} ${unit}`;

/** Prints rows as a table: each step's value, then the ratios and the verdict. */
export function printRows(title, rows, out = console.log) {
  out(`\n${title}`);
  for (const r of rows) {
    const cells = r.values.map((v, i) => `${r.steps[i]}: ${fmt(v, r.unit)}`).join("  ");
    const ratios = r.ratios.map((x) => `${x.toFixed(2)}×`).join(", ");
    out(`  ${r.name.padEnd(34)} ${cells}  | step ratios ${ratios}  → ${r.verdict}`);
    if (r.note) out(`  ${"".padEnd(34)} ${r.note}`);
  }
}
