import { Action, ActionPanel, Icon, List, openExtensionPreferences } from "@raycast/api";
import type { Hint } from "../lib/hints.ts";

/** What every command shows when the store cannot be opened: one sentence, one command, never a stack trace. */
export function UnavailableView({ hint }: { hint: Hint }) {
  return (
    <List>
      <List.EmptyView
        icon={Icon.Lock}
        title={hint.title}
        description={hint.command ? `${hint.message}\n\n${hint.command}` : hint.message}
        actions={
          <ActionPanel>
            {hint.command ? <Action.CopyToClipboard title="Copy Command" content={hint.command} /> : null}
            <Action title="Open Extension Preferences" icon={Icon.Gear} onAction={openExtensionPreferences} />
          </ActionPanel>
        }
      />
    </List>
  );
}
