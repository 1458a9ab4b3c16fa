import {
  Clipboard,
  Icon,
  LaunchType,
  launchCommand,
  MenuBarExtra,
  openExtensionPreferences,
  showHUD,
} from "@raycast/api";
import { readActiveSecret, switchToKey } from "./data/actions.ts";
import { useKeys } from "./data/hooks.ts";
import { errorHint, unavailableHint } from "./lib/hints.ts";
import { showFailure } from "./lib/toast.ts";

/** The default profile's active key in the menu bar; a section per profile switches in one click. */
export default function ActiveApiKey() {
  const { data, isLoading, error, revalidate } = useKeys();
  const hint = error ? unavailableHint(error) : null;
  if (hint) {
    return (
      <MenuBarExtra icon={Icon.Key} tooltip={hint.title} isLoading={isLoading}>
        <MenuBarExtra.Item title={hint.title} />
        <MenuBarExtra.Item title={hint.message} />
        {hint.command ? (
          <MenuBarExtra.Item title={`Copy "${hint.command}"`} onAction={() => Clipboard.copy(hint.command ?? "")} />
        ) : null}
        <MenuBarExtra.Item title="Open Extension Preferences" onAction={openExtensionPreferences} />
      </MenuBarExtra>
    );
  }

  const keys = data?.keys ?? [];
  const active = keys.find((k) => k.profile === "default" && k.active);
  const profiles = data?.profiles ?? [];
  const switchTo = async (name: string, profile: string) => {
    try {
      await switchToKey({ name, profile });
      revalidate();
    } catch (err) {
      await showFailure(err);
    }
  };
  const copyActive = async () => {
    try {
      const { name, secret } = await readActiveSecret("default");
      await Clipboard.copy(secret, { concealed: true });
      await showHUD(`Copied ${name}`);
    } catch (err) {
      await showHUD(errorHint(err).title);
    }
  };

  return (
    <MenuBarExtra
      icon={Icon.Key}
      title={active?.name ?? (isLoading ? undefined : "No Key")}
      tooltip={active ? `${active.name}: ${active.masked}` : "No active key in the default profile"}
      isLoading={isLoading}
    >
      <MenuBarExtra.Item title="Copy Active Key" icon={Icon.Clipboard} onAction={copyActive} />
      {profiles.map((p) => (
        <MenuBarExtra.Section key={p.name} title={p.name}>
          {keys
            .filter((k) => k.profile === p.name && k.status === "active")
            .map((k) => (
              <MenuBarExtra.Item
                key={k.id}
                title={k.name}
                subtitle={k.masked}
                icon={k.active ? Icon.CheckCircle : Icon.Circle}
                onAction={() => switchTo(k.name, k.profile)}
              />
            ))}
        </MenuBarExtra.Section>
      ))}
      <MenuBarExtra.Section>
        <MenuBarExtra.Item
          title="Open Switch API Key"
          onAction={() => launchCommand({ name: "switch-api-key", type: LaunchType.UserInitiated })}
        />
      </MenuBarExtra.Section>
    </MenuBarExtra>
  );
}
