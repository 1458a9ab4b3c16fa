// Builds a store in-process through the core's front API (what `apikey add` does, without a process per key):
// `keys` keys spread over `profiles` profiles, each profile's first key active, and `tokens` gateway tokens.
// Run through tsx (it imports the workspace's TypeScript); prints {"ms":N,"token":"apk-gw-…"} when done.
//
//   tsx seed.mjs '{"dataDir":"…","masterKey":"base64","keys":1000,"profiles":100,"tokens":0}'

import { loadConfig, masterKeySource, openApikey, storeFileIn } from "@apikey/core";
import { openStore } from "@apikey/storage";
import { fakeApiKey } from "../common.mjs";

const { dataDir, masterKey, keys, profiles, tokens = 0 } = JSON.parse(process.argv[2]);
const started = performance.now();
const app = openApikey({
  store: await openStore({ path: storeFileIn(dataDir) }),
  masterKeys: [masterKeySource(masterKey)],
  config: loadConfig({ APIKEY_HOME: dataDir }),
  actor: "bench",
  front: "cli",
});
const profileName = (p) => (p === 0 ? "default" : `team-${p}`);
const profileCount = Math.min(profiles, Math.max(1, keys));
for (let p = 1; p < profileCount; p++) await app.profiles.create(profileName(p));
for (let i = 0; i < keys; i++) {
  const profile = profileName(i % profileCount);
  await app.keys.add({ name: `key-${i}`, profile, secret: fakeApiKey(`SCALE_${i}`), validate: false });
}
let token = null;
for (let i = 0; i < tokens; i++) {
  const created = await app.tokens.create({ name: `person-${i}`, profile: "default" });
  // The last one is the token the bench sends: the lookup must not depend on where it sits.
  token = created.token;
}
await app.close();
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, token })}\n`);
