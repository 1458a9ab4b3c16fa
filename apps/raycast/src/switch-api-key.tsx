import { List } from "@raycast/api";
import { useState } from "react";
import { KeyActions } from "./components/key-actions.tsx";
import { UnavailableView } from "./components/unavailable.tsx";
import { useKeys } from "./data/hooks.ts";
import type { KeyItem } from "./data/types.ts";
import { keyAccessories, keyIcon } from "./lib/accessories.ts";
import { errorHint, unavailableHint } from "./lib/hints.ts";

export const ALL_PROFILES = "__all__";

/** Keys grouped by profile, the profile's active key first. */
export function groupByProfile(keys: KeyItem[], profile: string): Array<[string, KeyItem[]]> {
  const groups = new Map<string, KeyItem[]>();
  for (const k of keys) {
    if (profile !== ALL_PROFILES && k.profile !== profile) continue;
    const list = groups.get(k.profile) ?? [];
    list.push(k);
    groups.set(k.profile, list);
  }
  for (const list of groups.values()) {
    list.sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name));
  }
  return [...groups].sort(([a], [b]) => (a === "default" ? -1 : b === "default" ? 1 : a.localeCompare(b)));
}

export default function SwitchApiKey() {
  const { data, isLoading, error, revalidate } = useKeys();
  const [profile, setProfile] = useState(ALL_PROFILES);

  const hint = error ? unavailableHint(error) : null;
  if (hint) return <UnavailableView hint={hint} />;

  const profiles = data?.profiles ?? [];
  const groups = groupByProfile(data?.keys ?? [], profile);
  return (
    <List
      isLoading={isLoading}
      searchBarPlaceholder="Search keys by name"
      searchBarAccessory={
        <List.Dropdown tooltip="Profile" placeholder="Search profiles" storeValue onChange={setProfile} value={profile}>
          <List.Dropdown.Item title="All Profiles" value={ALL_PROFILES} />
          <List.Dropdown.Section title="Profiles">
            {profiles.map((p) => (
              <List.Dropdown.Item key={p.name} title={p.name} value={p.name} />
            ))}
          </List.Dropdown.Section>
        </List.Dropdown>
      }
    >
      {error && !data ? <List.EmptyView title={errorHint(error).title} description={errorHint(error).message} /> : null}
      {!error && data && data.keys.length === 0 ? (
        <List.EmptyView title="No keys yet" description="Add one with the Add API Key command." />
      ) : null}
      {groups.map(([name, keys]) => (
        <List.Section key={name} title={name} subtitle={`${keys.length}`}>
          {keys.map((k) => (
            <List.Item
              key={k.id}
              id={k.id}
              title={k.name}
              subtitle={k.masked}
              keywords={[k.profile]}
              icon={keyIcon(k)}
              accessories={keyAccessories(k)}
              actions={<KeyActions item={k} onChanged={revalidate} />}
            />
          ))}
        </List.Section>
      ))}
    </List>
  );
}
