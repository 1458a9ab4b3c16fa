import { Action, ActionPanel, Form, showToast, Toast } from "@raycast/api";
import { useForm } from "@raycast/utils";
import { ERROR_CODES, isApikeyError, isRecognisedKey } from "../vendor/core/index.ts";
import { UnavailableView } from "./components/unavailable.tsx";
import { addKey } from "./data/actions.ts";
import { useKeys } from "./data/hooks.ts";
import type { AddOutcome } from "./data/types.ts";
import { validationText } from "./lib/format.ts";
import { errorHint, unavailableHint } from "./lib/hints.ts";

export const NEW_PROFILE = "__new__";

interface Values {
  name: string;
  profile: string;
  newProfile: string;
  key: string;
}

/** What the success toast says: a key that could not be checked is stored, and the toast says so. */
export function addedMessage(o: AddOutcome): { title: string; message: string } {
  const active = o.key.active ? ` It is now the active key of ${o.key.profile}.` : "";
  if (o.validation === "unverified") {
    return {
      title: `Stored ${o.key.name}, not verified`,
      message: `Anthropic could not be reached to check it.${active}`,
    };
  }
  return { title: `Added ${o.key.name}`, message: `${validationText(o.validation)}.${active}` };
}

export default function AddApiKey() {
  const { data, error, revalidate } = useKeys();
  const { handleSubmit, itemProps, values, setValidationError, reset } = useForm<Values>({
    initialValues: { name: "", profile: "default", newProfile: "", key: "" },
    validation: {
      name: (v) => (!v?.trim() ? "A name is required" : undefined),
      key: (v) =>
        !v?.trim() ? "Paste the key" : !isRecognisedKey(v.trim()) ? "This is not an Anthropic API key" : undefined,
    },
    async onSubmit(v) {
      const creating = v.profile === NEW_PROFILE;
      const profile = creating ? v.newProfile.trim() : v.profile;
      if (!profile) {
        setValidationError("newProfile", "Name the new profile");
        return;
      }
      const toast = await showToast({ style: Toast.Style.Animated, title: "Checking the key with Anthropic…" });
      try {
        const outcome = await addKey({ name: v.name.trim(), profile, createProfile: creating, secret: v.key.trim() });
        const done = addedMessage(outcome);
        toast.style = Toast.Style.Success;
        toast.title = done.title;
        toast.message = done.message;
        reset({ name: "", profile, newProfile: "", key: "" });
        revalidate();
      } catch (err) {
        const hint = errorHint(err);
        toast.style = Toast.Style.Failure;
        toast.title = hint.title;
        toast.message = hint.message;
        // An invalid key is the key field's error; the person fixes it in place.
        if (isApikeyError(err) && (err.code === ERROR_CODES.KEY_INVALID || err.code === ERROR_CODES.KEY_DUPLICATE)) {
          setValidationError("key", hint.title);
        } else if (
          isApikeyError(err) &&
          (err.code === ERROR_CODES.NAME_TAKEN || err.code === ERROR_CODES.NAME_INVALID)
        ) {
          setValidationError("name", hint.title);
        }
      }
    },
  });

  const hint = error ? unavailableHint(error) : null;
  if (hint) return <UnavailableView hint={hint} />;

  return (
    <Form
      actions={
        <ActionPanel>
          <Action.SubmitForm title="Add Key" onSubmit={handleSubmit} />
        </ActionPanel>
      }
    >
      <Form.TextField title="Name" placeholder="work" {...itemProps.name} />
      <Form.Dropdown title="Profile" placeholder="Search profiles" {...itemProps.profile}>
        {(data?.profiles ?? [{ name: "default" }]).map((p) => (
          <Form.Dropdown.Item key={p.name} value={p.name} title={p.name} />
        ))}
        <Form.Dropdown.Item value={NEW_PROFILE} title="New Profile…" />
      </Form.Dropdown>
      {values.profile === NEW_PROFILE ? (
        <Form.TextField title="New Profile" placeholder="staging" {...itemProps.newProfile} />
      ) : null}
      <Form.PasswordField title="API Key" placeholder="sk-ant-api03-…" {...itemProps.key} />
      <Form.Description text="The key is checked against the Anthropic API (no tokens spent) before it is stored, encrypted." />
    </Form>
  );
}
