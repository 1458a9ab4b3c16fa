import { Action, ActionPanel, Alert, Clipboard, confirmAlert, Icon, Keyboard, showHUD } from "@raycast/api";
import { deleteKey, readSecret, setKeyEnabled, switchToKey, validateKey } from "../data/actions.ts";
import type { KeyItem } from "../data/types.ts";
import { validationText } from "../lib/format.ts";
import { showFailure, withToast } from "../lib/toast.ts";
import { RenameForm } from "./rename-form.tsx";
import { RotateForm } from "./rotate-form.tsx";
import { UsageView } from "./usage-view.tsx";

/** ⌘ on macOS, Ctrl on Windows, plus `extra`. */
function platformShortcut(extra: Keyboard.KeyModifier[], key: Keyboard.KeyEquivalent): Keyboard.Shortcut {
  return { macOS: { modifiers: ["cmd", ...extra], key }, Windows: { modifiers: ["ctrl", ...extra], key } };
}

type Reload = () => void;

async function activateKey(item: KeyItem, onChanged: Reload): Promise<void> {
  const done = await withToast(
    `Switching to ${item.name}…`,
    () => switchToKey(item),
    (k) => ({ title: `Now using ${k.name}`, message: `Active key of ${k.profile}` }),
  );
  if (done.ok) onChanged();
}

// The secret is read only here, when the person asks, and goes straight to the clipboard, concealed.
async function copyKey(item: KeyItem): Promise<void> {
  try {
    await Clipboard.copy(await readSecret(item, "copy"), { concealed: true });
    await showHUD(`Copied ${item.name}`);
  } catch (err) {
    await showFailure(err);
  }
}

// Clipboard.paste has no `concealed` option: the pasted key passes through the clipboard like any paste, so a
// clipboard history may keep it. The README says so; Copy Key is the concealed path.
async function pasteKey(item: KeyItem): Promise<void> {
  try {
    await Clipboard.paste(await readSecret(item, "paste"));
  } catch (err) {
    await showFailure(err);
  }
}

async function checkKey(item: KeyItem, onChanged: Reload): Promise<void> {
  await withToast(
    `Checking ${item.name} with Anthropic…`,
    () => validateKey(item),
    (v) => ({ title: `${item.name}: ${validationText(v.outcome)}`, message: v.message }),
  );
  onChanged();
}

async function toggleKey(item: KeyItem, onChanged: Reload): Promise<void> {
  const enable = item.status === "disabled";
  const done = await withToast(
    enable ? `Enabling ${item.name}…` : `Disabling ${item.name}…`,
    () => setKeyEnabled(item, enable),
    () => ({ title: enable ? `Enabled ${item.name}` : `Disabled ${item.name}` }),
  );
  if (done.ok) onChanged();
}

async function removeKey(item: KeyItem, onChanged: Reload): Promise<void> {
  const confirmed = await confirmAlert({
    title: `Delete ${item.name}?`,
    message: item.active
      ? `It is the active key of ${item.profile}; the profile will have none. The key stays valid at Anthropic.`
      : "It is removed from this store. The key stays valid at Anthropic.",
    primaryAction: { title: "Delete Key", style: Alert.ActionStyle.Destructive },
  });
  if (!confirmed) return;
  const done = await withToast(
    `Deleting ${item.name}…`,
    () => deleteKey(item),
    () => ({ title: `Deleted ${item.name}` }),
  );
  if (done.ok) onChanged();
}

/** Everything a person does with one key from the list. `onChanged` reloads the list after a write. */
export function KeyActions({ item, onChanged }: { item: KeyItem; onChanged: Reload }) {
  const use = () => activateKey(item, onChanged);
  const copy = () => copyKey(item);
  const paste = () => pasteKey(item);
  const validate = () => checkKey(item, onChanged);
  const toggle = () => toggleKey(item, onChanged);
  const remove = () => removeKey(item, onChanged);

  return (
    <ActionPanel>
      <ActionPanel.Section>
        {item.status === "active" ? <Action title="Use This Key" icon={Icon.CheckCircle} onAction={use} /> : null}
        <Action title="Copy Key" icon={Icon.Clipboard} shortcut={Keyboard.Shortcut.Common.Copy} onAction={copy} />
        <Action title="Paste Key" icon={Icon.Text} shortcut={platformShortcut(["shift"], "v")} onAction={paste} />
      </ActionPanel.Section>
      <ActionPanel.Section>
        <Action title="Validate" icon={Icon.Checkmark} shortcut={platformShortcut([], "t")} onAction={validate} />
        {item.cannotRotate ? null : (
          <Action.Push
            title="Rotate…"
            icon={Icon.ArrowClockwise}
            shortcut={platformShortcut(["shift"], "r")}
            target={<RotateForm initial={item} onDone={onChanged} />}
          />
        )}
        <Action.Push
          title="Rename"
          icon={Icon.Pencil}
          shortcut={Keyboard.Shortcut.Common.Edit}
          target={<RenameForm item={item} onDone={onChanged} />}
        />
        <Action
          title={item.status === "disabled" ? "Enable Key" : "Disable Key"}
          icon={item.status === "disabled" ? Icon.Play : Icon.Pause}
          onAction={toggle}
        />
        <Action.Push
          title="Show Usage"
          icon={Icon.BarChart}
          shortcut={platformShortcut([], "u")}
          target={<UsageView navigationTitle="API Key Usage" />}
        />
      </ActionPanel.Section>
      <ActionPanel.Section>
        <Action
          title="Delete…"
          icon={Icon.Trash}
          style={Action.Style.Destructive}
          shortcut={Keyboard.Shortcut.Common.Remove}
          onAction={remove}
        />
      </ActionPanel.Section>
    </ActionPanel>
  );
}
