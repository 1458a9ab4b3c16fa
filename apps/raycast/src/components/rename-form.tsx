import { Action, ActionPanel, Form, useNavigation } from "@raycast/api";
import { useForm } from "@raycast/utils";
import { renameKey } from "../data/actions.ts";
import type { KeyItem } from "../data/types.ts";
import { withToast } from "../lib/toast.ts";

export function RenameForm({ item, onDone }: { item: KeyItem; onDone: () => void }) {
  const { pop } = useNavigation();
  const { handleSubmit, itemProps } = useForm<{ name: string }>({
    initialValues: { name: item.name },
    validation: { name: (v) => (!v?.trim() ? "A name is required" : undefined) },
    async onSubmit({ name }) {
      const done = await withToast(
        `Renaming ${item.name}…`,
        () => renameKey(item, name.trim()),
        () => ({ title: `Renamed to ${name.trim()}` }),
      );
      if (done.ok) {
        onDone();
        pop();
      }
    },
  });
  return (
    <Form
      navigationTitle={`Rename ${item.name}`}
      actions={
        <ActionPanel>
          <Action.SubmitForm title="Rename Key" onSubmit={handleSubmit} />
        </ActionPanel>
      }
    >
      <Form.TextField title="New Name" placeholder={item.name} {...itemProps.name} />
      <Form.Description title="Profile" text={item.profile} />
    </Form>
  );
}
