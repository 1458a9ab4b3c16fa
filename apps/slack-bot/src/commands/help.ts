// The `/apikey help` answer. Slack words only: no CLI flags.

export const HELP_LINES: ReadonlyArray<readonly [string, string]> = [
  ["/apikey list [profile]", "keys you may see: status, masked key, active ✓, last used, spend / budget"],
  ["/apikey status", "each profile's active key, budgets, owed deactivations"],
  ["/apikey use NAME [profile]", "make NAME the profile's active key (announced)"],
  ["/apikey add [profile]", "opens a form for a new key"],
  ["/apikey rotate NAME", "opens a form to replace NAME with a new key, with a grace period"],
  ["/apikey validate NAME", "checks NAME with Anthropic"],
  ["/apikey disable NAME · enable NAME", "stop or resume using NAME"],
  ["/apikey rename NAME NEW", "renames a key"],
  ["/apikey delete NAME", "deletes a key (asks first)"],
  ["/apikey budget set NAME USD [block] · budget clear NAME", "monthly budget; `block` stops use at 100 %"],
  [
    "/apikey usage [7d|30d] [by day|model|key|token] [key NAME]",
    "spend and tokens (by token: per gateway token)",
  ],
  ["/apikey audit [N]", "the last N changes (10 by default)"],
];

export function helpText(): string {
  const rows = HELP_LINES.map(([form, what]) => `• \`${form}\` — ${what}`);
  return [
    "*apikey* keeps the team's Anthropic keys in one place. Answers are visible only to you; keys are always masked.",
    ...rows,
    "Never paste a key into a command or a message: use the form that `add` or `rotate` opens.",
  ].join("\n");
}
