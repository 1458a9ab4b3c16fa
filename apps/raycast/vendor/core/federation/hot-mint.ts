// Vendored from packages/core/src/federation/hot-mint.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { childEnvironment } from "../child-env.ts";
import { federatedToken } from "./mint.ts";
import { decodeSettings } from "./settings.ts";

// `apikey current` on a federated key, on the hot path: the row's settings (decrypted by the caller) to a minted
// token, without the program, the store's full session or the config module. What it reads of the environment is
// what the full path reads (use.ts): ANTHROPIC_BASE_URL, the identity token's variable, and for a command source
// the environment minus what unlocks the store. Any failure sends the caller to the full path, which reports it.

export function mintFederatedToken(
  keyId: string,
  decrypted: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  return federatedToken(keyId, decodeSettings(decrypted), {
    baseUrl: env.ANTHROPIC_BASE_URL || undefined,
    readVariable: (name) => env[name],
    childEnv: () => childEnvironment(env),
  });
}
