import { Color, Icon, type List } from "@raycast/api";
import type { KeyItem } from "../data/types.ts";
import { ago, BUDGET_WORDS, spendText, validationText } from "./format.ts";

const BUDGET_COLOR = { none: Color.SecondaryText, ok: Color.Green, warn: Color.Orange, over: Color.Red } as const;

/** The right-hand side of a key's row: status, rotation due, month spend / budget, last used. */
export function keyAccessories(key: KeyItem, now = new Date()): List.Item.Accessory[] {
  const out: List.Item.Accessory[] = [];
  if (key.active) out.push({ tag: { value: "Active", color: Color.Green }, tooltip: `Active key of ${key.profile}` });
  if (key.status === "disabled") out.push({ tag: { value: "Disabled", color: Color.SecondaryText } });
  if (key.validation !== null && !["valid", "rate_limited", "unverified"].includes(key.validation)) {
    out.push({ tag: { value: validationText(key.validation), color: Color.Red }, tooltip: "Last validation" });
  }
  if (key.rotationDue)
    out.push({ icon: Icon.ArrowClockwise, text: "Rotation Due", tooltip: "Older than the rotation policy allows" });
  const spend = spendText(key);
  if (spend) {
    out.push({
      text: { value: spend, color: BUDGET_COLOR[key.budgetState] },
      tooltip: `This month: ${BUDGET_WORDS[key.budgetState]}`,
    });
  }
  out.push(
    key.lastUsedAt
      ? { date: new Date(key.lastUsedAt), tooltip: `Last used ${ago(key.lastUsedAt, now)}` }
      : { text: "Never Used", tooltip: "Not used since it was added" },
  );
  return out;
}

export function keyIcon(key: KeyItem) {
  if (key.active) return { source: Icon.CheckCircle, tintColor: Color.Green };
  if (key.status === "disabled") return { source: Icon.XMarkCircle, tintColor: Color.SecondaryText };
  return key.kind === "admin" ? Icon.Shield : Icon.Key;
}
