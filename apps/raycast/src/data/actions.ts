import { getPreferenceValues, LaunchType, launchCommand } from "@raycast/api";
import type { Preferences } from "./open-store.ts";
import { openService } from "./service.ts";
import type { AddInput, ApikeyService, KeyItem, KeyRef, RotateInput } from "./types.ts";

/** For writes that touch no secret (switch, rename, enable, delete): the data key stays closed. */
const NO_SECRET = { unlock: false };
const currentPrefs = () => getPreferenceValues<Preferences>();

// Every command's reads and writes, one store connection per call: Raycast runs each command in a fresh process and
// the CLI may write in between, so nothing is held open across actions.

export async function withService<T>(
  run: (service: ApikeyService) => Promise<T>,
  prefs: Preferences = getPreferenceValues<Preferences>(),
  options: { unlock?: boolean } = {},
): Promise<T> {
  const service = await openService(prefs, options);
  try {
    return await run(service);
  } finally {
    // Not awaited: closing the last connection checkpoints the WAL (an fsync), and everything the caller needs is
    // committed already. A failed close loses nothing.
    service.close().catch(() => {});
  }
}

export const MENU_BAR_COMMAND = "active-api-key";

/** Repaints the menu bar after a switch; it may be disabled, which is fine. */
export async function refreshMenuBar(): Promise<void> {
  try {
    await launchCommand({ name: MENU_BAR_COMMAND, type: LaunchType.Background });
  } catch {
    // Not enabled by the person: nothing to refresh.
  }
}

/** `directory` is the preference's value, passed in so cached lists are kept per store. */
export const loadSnapshot = (directory: string) =>
  withService((s) => s.snapshot(), { ...getPreferenceValues<Preferences>(), directory });

export async function switchToKey(key: Pick<KeyItem, "name" | "profile">): Promise<KeyRef> {
  const used = await withService((s) => s.use(key.name, key.profile), currentPrefs(), NO_SECRET);
  await refreshMenuBar();
  return used;
}

export const readSecret = (key: Pick<KeyItem, "name" | "profile">, reason: "copy" | "paste") =>
  withService((s) => s.secret(key.name, key.profile, reason));

export const readActiveSecret = (profile: string) => withService((s) => s.activeSecret(profile));

export async function addKey(input: AddInput) {
  const outcome = await withService((s) => s.add(input));
  if (outcome.key.active) await refreshMenuBar();
  return outcome;
}

export const validateKey = (key: Pick<KeyItem, "name" | "profile">) =>
  withService((s) => s.validate(key.name, key.profile));

export async function rotateKey(input: RotateInput) {
  const outcome = await withService((s) => s.rotate(input));
  await refreshMenuBar();
  return outcome;
}

export const renameKey = (key: Pick<KeyItem, "name" | "profile">, newName: string) =>
  withService((s) => s.rename(key.name, newName, key.profile), currentPrefs(), NO_SECRET).then(refreshMenuBar);

export const setKeyEnabled = (key: Pick<KeyItem, "name" | "profile">, enabled: boolean) =>
  withService((s) => s.setEnabled(key.name, key.profile, enabled), currentPrefs(), NO_SECRET).then(refreshMenuBar);

export const deleteKey = (key: Pick<KeyItem, "name" | "profile">) =>
  withService((s) => s.remove(key.name, key.profile), currentPrefs(), NO_SECRET).then(refreshMenuBar);

export const loadUsage = (days: 7 | 30) => withService((s) => s.usage(days));
