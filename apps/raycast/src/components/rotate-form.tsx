import { Action, ActionPanel, Form, useNavigation } from "@raycast/api";
import { useForm } from "@raycast/utils";
import { isRecognisedKey } from "../../vendor/core/index.ts";
import { rotateKey } from "../data/actions.ts";
import { useKeys } from "../data/hooks.ts";
import type { KeyItem, RotateOutcome } from "../data/types.ts";
import { unavailableHint } from "../lib/hints.ts";
import { withToast } from "../lib/toast.ts";
import { UnavailableView } from "./unavailable.tsx";

interface Values {
  key: string;
  newKey: string;
  grace: string;
}

export const GRACE_CHOICES = [
  { value: "0", title: "None: Deactivate Now" },
  { value: "15", title: "15 Minutes" },
  { value: "60", title: "1 Hour" },
  { value: "1440", title: "24 Hours" },
] as const;

const ref = (k: Pick<KeyItem, "profile" | "name">) => `${k.profile}/${k.name}`;

/** The outcome in the CLI's terms: what replaced what, and what happens to the old key upstream. */
export function rotateSummary(r: RotateOutcome): { title: string; message: string } {
  if (!r.changed) return { title: `${r.name} already holds this key`, message: "Nothing changed." };
  const upstream =
    r.deactivation.plan === "pending"
      ? `The old key is deactivated at Anthropic ${r.deactivation.dueAt ? `after ${new Date(r.deactivation.dueAt).toLocaleString()}` : "now"}.`
      : r.deactivation.plan === "manual"
        ? "No Admin key: deactivate the old key in the Anthropic Console."
        : "Nothing to deactivate upstream.";
  return { title: `Rotated ${r.name}: ${r.oldMasked} → ${r.newMasked}`, message: upstream };
}

const UPSTREAM_TEXT = {
  pending:
    "An Admin key is stored in this profile: the old key is deactivated at Anthropic when the grace period ends.",
  manual: "No Admin key is stored in this profile: deactivate the old key in the Anthropic Console yourself.",
  none: "Only API keys are deactivated at Anthropic by a rotation: this one stays as it is there.",
} as const;

/**
 * What happens upstream, as core plans it for the chosen key (its own profile's Admin key, never another's). Before a
 * key is chosen: what every API key listed would get, or that it depends on the key.
 */
export function upstreamText(chosen: KeyItem | undefined, keys: KeyItem[]): string {
  if (chosen) return UPSTREAM_TEXT[chosen.upstreamOnRotate];
  const plans = new Set(keys.map((k) => k.upstreamOnRotate).filter((p) => p !== "none"));
  const [only] = plans;
  if (plans.size === 1 && only) return UPSTREAM_TEXT[only];
  return "Depends on the key: only a profile holding an Admin key can deactivate the old key at Anthropic.";
}

export function RotateForm({ initial, onDone }: { initial?: KeyItem; onDone?: () => void }) {
  const { pop } = useNavigation();
  const { data, isLoading, error } = useKeys();
  // Core says which keys a rotation refuses (a federated key: nothing to rotate); they are not offered.
  const keys = (data?.keys ?? []).filter((k) => k.status !== "rotated" && !k.cannotRotate);
  const { handleSubmit, itemProps, values, setValidationError, reset } = useForm<Values>({
    initialValues: { key: initial ? ref(initial) : "", newKey: "", grace: "15" },
    validation: {
      key: (v) => (!v ? "Choose a key" : undefined),
      newKey: (v) =>
        !v ? "Paste the new key" : !isRecognisedKey(v.trim()) ? "This is not an Anthropic API key" : undefined,
    },
    async onSubmit(values) {
      const target = keys.find((k) => ref(k) === values.key);
      if (!target) {
        setValidationError("key", "This key no longer exists");
        return;
      }
      const done = await withToast(
        `Rotating ${target.name}…`,
        () =>
          rotateKey({
            name: target.name,
            profile: target.profile,
            newSecret: values.newKey.trim(),
            graceMinutes: Number(values.grace),
          }),
        rotateSummary,
      );
      // The secret leaves the form's state either way.
      reset({ key: values.key, newKey: "", grace: values.grace });
      if (!done.ok) return;
      onDone?.();
      if (initial) pop();
    },
  });

  const hint = error ? unavailableHint(error) : null;
  if (hint) return <UnavailableView hint={hint} />;

  return (
    <Form
      isLoading={isLoading}
      // A root command's title is the command's own (Store review: no navigationTitle there); pushed from a key, it
      // names the key.
      navigationTitle={initial ? `Rotate ${initial.name}` : undefined}
      actions={
        <ActionPanel>
          <Action.SubmitForm title="Rotate Key" onSubmit={handleSubmit} />
        </ActionPanel>
      }
    >
      <Form.Dropdown title="Key" placeholder="Search keys" {...itemProps.key}>
        {keys.map((k) => (
          <Form.Dropdown.Item key={k.id} value={ref(k)} title={`${k.name} (${k.profile})`} />
        ))}
      </Form.Dropdown>
      <Form.PasswordField title="New Key" placeholder="sk-ant-api03-…" {...itemProps.newKey} />
      <Form.Dropdown
        title="Grace Period"
        placeholder="Choose a grace period"
        info="How long the old key keeps working at Anthropic"
        {...itemProps.grace}
      >
        {GRACE_CHOICES.map((g) => (
          <Form.Dropdown.Item key={g.value} value={g.value} title={g.title} />
        ))}
      </Form.Dropdown>
      <Form.Description
        title="Upstream"
        text={upstreamText(
          keys.find((k) => ref(k) === values.key),
          keys,
        )}
      />
    </Form>
  );
}
