// The scaling rows that time the built CLI (issue 25, item 5): `list` and `current` as the store grows,
// `export` / `import` of more and more keys, and `rekey` (time and the child's peak memory). Each store is built
// in-process first (stores.mjs); every command then runs as a person runs it, a fresh process each time.

import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { median } from "../common.mjs";
import { row } from "./growth.mjs";
import { cliEnv, timedRun } from "./stores.mjs";

/**
 * `current` and `list` on each store, interleaved with a bare `node -e 0` (the order rotates each round, so a burst
 * of load from elsewhere lands on every command alike). Medians of `runs` rounds.
 */
export function keyRows({ cli, root, stores, runs }) {
  const jobs = [{ name: "node -e 0", args: ["-e", "0"], env: cliEnv(root, stores[0]) }];
  for (const s of stores)
    for (const words of [["current"], ["list"]])
      jobs.push({ name: `${words[0]}@${s.keys}`, args: [cli, ...words], env: cliEnv(root, s), store: s });
  // Once, untimed: list shows every key, current prints a key.
  for (const j of jobs.slice(1)) {
    const out = timedRun(j.args, { env: j.env }).stdout;
    if (j.name.startsWith("list") && (out.match(/key-\d+/g) ?? []).length < j.store.keys)
      throw new Error(`list showed fewer than ${j.store.keys} keys`);
    if (j.name.startsWith("current") && !out.startsWith("sk-ant-")) throw new Error("current printed no key");
  }
  const samples = new Map(jobs.map((j) => [j.name, []]));
  for (let i = 0; i < runs; i++)
    for (let k = 0; k < jobs.length; k++) {
      const j = jobs[(i + k) % jobs.length];
      samples.get(j.name).push(timedRun(j.args, { env: j.env }).ms);
    }
  const sizes = stores.map((s) => s.keys);
  const base = median(samples.get("node -e 0"));
  const note = `baseline node -e 0: ${base.toFixed(1)} ms (median of ${runs}, same run)`;
  const of = (cmd) => sizes.map((n) => median(samples.get(`${cmd}@${n}`)));
  return [
    row("current (keys in 100 profiles)", sizes, of("current"), "ms", { note }),
    row("list (keys in 100 profiles)", sizes, of("list"), "ms", { note }),
  ];
}

/** `export` of each store to a bundle, then `import` of that bundle into an empty store: time and peak memory. */
export function transferRows({ cli, root, stores }) {
  const passphrase = "FAKE bench passphrase, not a secret";
  const out = { exportMs: [], exportMb: [], importMs: [], importMb: [] };
  for (const s of stores) {
    const bundle = join(root, `bundle-${s.keys}.json`);
    const env = cliEnv(root, s, { APIKEY_EXPORT_PASSPHRASE: passphrase });
    const exp = timedRun([cli, "export", "-o", bundle, "--force"], { env, memory: true });
    const target = { ...s, dataDir: join(root, `imported-${s.keys}`) };
    mkdirSync(target.dataDir, { recursive: true });
    const imp = timedRun([cli, "import", bundle], {
      env: cliEnv(root, target, { APIKEY_EXPORT_PASSPHRASE: passphrase }),
      memory: true,
    });
    const listed = timedRun([cli, "--json", "list"], { env: cliEnv(root, target) }).stdout;
    const count = (listed.match(/"name":\s*"key-\d+"/g) ?? []).length;
    if (count !== s.keys) throw new Error(`import of ${s.keys} keys left ${count} in the store`);
    if (readFileSync(bundle, "utf8").includes("FAKE_TEST_"))
      throw new Error("the bundle holds a key in clear");
    out.exportMs.push(exp.ms);
    out.exportMb.push(exp.peakMb);
    out.importMs.push(imp.ms);
    out.importMb.push(imp.peakMb);
    rmSync(target.dataDir, { recursive: true, force: true });
  }
  const sizes = stores.map((s) => s.keys);
  return [
    row("export: time", sizes, out.exportMs, "ms"),
    row("export: peak RSS", sizes, out.exportMb, "MB"),
    row("import: time", sizes, out.importMs, "ms"),
    row("import: peak RSS", sizes, out.importMb, "MB"),
  ];
}

/** `rekey --to env` (a new master key on stdin) of a copy of each store: time and peak memory. */
export function rekeyRows({ cli, root, stores }) {
  const ms = [];
  const mb = [];
  for (const s of stores) {
    const copy = { ...s, dataDir: join(root, `rekey-${s.keys}`) };
    cpSync(s.dataDir, copy.dataDir, { recursive: true });
    const newKey = Buffer.alloc(32, s.keys % 251).toString("base64");
    const r = timedRun([cli, "rekey", "--to", "env"], {
      env: cliEnv(root, copy),
      input: newKey,
      memory: true,
    });
    // The store now opens with the new master key only.
    timedRun([cli, "current"], { env: cliEnv(root, { ...copy, masterKey: newKey }) });
    ms.push(r.ms);
    mb.push(r.peakMb);
    rmSync(copy.dataDir, { recursive: true, force: true });
  }
  const sizes = stores.map((s) => s.keys);
  return [row("rekey: time", sizes, ms, "ms"), row("rekey: peak RSS", sizes, mb, "MB")];
}
