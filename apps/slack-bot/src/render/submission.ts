import { z } from "zod";

// What a submitted form holds, read at the boundary with zod. Shape only: whether a name or a key is acceptable is
// core's rule. private_metadata carries no secret: only where the form came from.

export const FormOrigin = z.strictObject({
  channel: z
    .string()
    .regex(/^[CDG][A-Z0-9]+$/)
    .optional(),
  profile: z.string().max(64).optional(),
  name: z.string().max(64).optional(),
});
export type FormOrigin = z.output<typeof FormOrigin>;

export const encodeOrigin = (origin: FormOrigin): string => JSON.stringify(origin);

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
