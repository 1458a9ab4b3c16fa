import { type DeactivationOutcome, describeFinding, formatUsd, type KeyListItem } from "@apikey/core";
import type { Logger } from "@slack/bolt";
import type { CorePort } from "../core-port.ts";
import { bold, esc } from "../render/blocks.ts";

// One reminder pass: run the upstream deactivations whose grace has ended (what `apikey rotate --finish` does),
// then tell the announcement channel about keys past their rotation age, budgets crossing 80 % and 100 %, and the
// findings over the usage Anthropic reports (issue 24: a retired key still used, an unknown organization key…).
// Each message is claimed in the store before it is posted, so it goes out once across restarts and replicas.
// (A post that fails after its claim is not retried: a lost reminder beats a repeated one.)

export interface ReminderDeps {
  core: CorePort;
  /** Posts to the announcement channel; undefined when the config names none (nothing is claimed then). */
  post: ((text: string) => Promise<void>) | undefined;
  logger: Logger;
}

const month = (d: Date) => d.toISOString().slice(0, 7);

export async function reminderPass(now: Date, deps: ReminderDeps): Promise<void> {
  const keys = await deps.core.keys.list({});
  const profiles = [...new Set(keys.map((k) => k.profile))].sort();
  const outcomes: DeactivationOutcome[] = [];
  for (const profile of profiles)
    outcomes.push(...(await deps.core.keys.finishDeactivations({ profile, now })));
  const post = deps.post;
  if (!post) return;
  // An empty text only claims: marks a lesser reminder as no longer worth sending.
  const once = async (name: string, text: string) => {
    if ((await deps.core.claimOnce(`slack:remind:${name}`)) && text) await post(text);
  };
  for (const o of outcomes) {
    const what = `the old key of ${bold(o.profile)}/${bold(o.keyName ?? "?")}`;
    if (o.state === "done") await once(`deactivated:${o.id}`, `:lock: Deactivated ${what} at Anthropic.`);
    else if (o.state === "failed")
      await once(
        `deactivation-failed:${o.id}`,
        `:x: Could not deactivate ${what} at Anthropic: ${o.error ?? "unknown reason"}. It still works there.`,
      );
  }
  for (const k of keys) await keyReminders(k, now, once);
  // Each finding has a stable id, so it is posted once; core's sentence, escaped (an organization key's name is
  // whatever someone typed in the Console).
  for (const f of (await deps.core.usage.findings()).findings) {
    await once(
      `finding:${f.id}`,
      `:mag: ${esc(describeFinding(f))} (\`apikey usage check\` lists them all.)`,
    );
  }
  await deps.core.forgetClaimsBefore(new Date(now.getTime() - KEEP_MARKS_MS));
}

// Marks older than this are forgotten. Longer than a month, so a budget reminder (one per key and month) is never
// sent twice in its month; a key still past its rotation age is reminded again after that long, which is wanted.
// Request claims only matter for five minutes.
const KEEP_MARKS_MS = 40 * 86_400_000;

async function keyReminders(k: KeyListItem, now: Date, once: (name: string, text: string) => Promise<void>) {
  if (k.status === "rotated" || k.readOnly) return;
  const name = `${bold(k.profile)}/${bold(k.name)}`;
  if (k.rotationDue)
    await once(
      `rotation:${k.id}`,
      `:hourglass: ${name} is past its rotation age: \`/apikey rotate ${k.name}\`.`,
    );
  if (k.budgetUsd === null || k.spendMonthUsd === null) return;
  const spent = `${formatUsd(k.spendMonthUsd)} of ${formatUsd(k.budgetUsd)}`;
  // Core's budget state decides (`over` only strictly past 100 %). Over first: a key that jumped past both in one
  // pass gets the one that matters.
  if (k.budgetState === "over") {
    const stop =
      k.budgetMode === "block" ? " Requests through the gateway are refused until next month." : "";
    await once(
      `budget100:${k.id}:${month(now)}`,
      `:red_circle: ${name} has used its monthly budget (${spent}).${stop}`,
    );
    await once(`budget80:${k.id}:${month(now)}`, "");
  } else if (k.budgetState === "warn") {
    await once(
      `budget80:${k.id}:${month(now)}`,
      `:warning: ${name} has used ${Math.floor((k.budgetRatio ?? 0) * 100)} % of its monthly budget (${spent}).`,
    );
  }
}
