import { z } from "zod";
import { isNameRef, NameRef } from "../name-ref.ts";

// What a submitted form holds, read at the boundary with zod. Shape only: whether a name or a key is acceptable is
// core's rule. private_metadata carries no secret: only where the form came from. payload.ts checks every
// submission against these before a listener runs.

const CHANNEL = /^[A-Z][A-Z0-9]{1,31}$/;

export const FormOrigin = z.strictObject({
  channel: z.string().regex(CHANNEL).optional(),
  profile: NameRef.optional(),
  name: NameRef.optional(),
});
export type FormOrigin = z.output<typeof FormOrigin>;

/** Only what the submission check accepts is written, so a form the bot opened is never refused on its return. */
export function encodeOrigin(origin: FormOrigin): string {
  const name = (v: string | undefined) => (v !== undefined && isNameRef(v) ? v : undefined);
  return JSON.stringify({
    channel: origin.channel && CHANNEL.test(origin.channel) ? origin.channel : undefined,
    profile: name(origin.profile),
    name: name(origin.name),
  });
}

export function decodeOrigin(metadata: string | undefined): FormOrigin | undefined {
  try {
    const parsed = FormOrigin.safeParse(JSON.parse(metadata ?? ""));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

type StateValues = Record<
  string,
  Record<
    string,
    {
      value?: string | null;
      selected_option?: { value: string } | null;
      selected_options?: { value: string }[];
    }
  >
>;

export function textValue(values: StateValues, blockId: string): string {
  return values[blockId]?.value?.value?.trim() ?? "";
}

export function selectedValue(values: StateValues, blockId: string): string | undefined {
  return values[blockId]?.value?.selected_option?.value;
}

export function checked(values: StateValues, blockId: string, option: string): boolean {
  return (values[blockId]?.value?.selected_options ?? []).some((o) => o.value === option);
}

export type { StateValues };
