import { loadConfig, masterKeySource, openApikey, passphraseSource, storeFileIn } from "@apikey/core";
import type { Store } from "@apikey/core/store";

// A scripted session of a tiny front: what a Raycast command or a Bolt listener does, through the one front API.
// Input arrives on stdin (secrets never in argv); output is JSON with masked keys only.

export interface SessionInput {
  home: string;
  baseUrl: string;
  actor: string;
  front: "raycast" | "slack";
  masterKey?: string;
  passphrase?: string;
  use: string;
  add: { name: string; secret: string };
  rotate: { name: string; newSecret: string };
}

export async function runSession(input: SessionInput, openStore: (o: { path: string }) => Promise<Store>) {
  const config = loadConfig({ APIKEY_HOME: input.home, ANTHROPIC_BASE_URL: input.baseUrl });
  const app = openApikey({
    store: await openStore({ path: storeFileIn(config.dataDir) }),
    masterKeys: [masterKeySource(input.masterKey), passphraseSource({ passphrase: input.passphrase })],
    config,
    actor: input.actor,
    front: input.front,
  });
  try {
    const before = (await app.keys.list()).map((k) => ({ name: k.name, active: k.active, masked: k.masked }));
    const used = await app.keys.use(input.use);
    const added = await app.keys.add({ ...input.add, validate: true });
    const rotated = await app.keys.rotate({ ...input.rotate, graceMs: 0 });
    const report = await app.usage.report({ since: new Date(Date.now() - 30 * 86_400_000), by: "key" });
    return {
      before,
      used: used.name,
      added: { name: added.key.name, validation: added.validation?.outcome ?? null },
      rotated: { changed: rotated.changed, masked: rotated.new.masked, plan: rotated.deactivation.plan },
      usageRows: report.rows.length,
    };
  } finally {
    await app.close();
  }
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
