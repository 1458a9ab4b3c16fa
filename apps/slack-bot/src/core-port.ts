import type { Apikey } from "@apikey/core";

// The part of the core's front API (`openApikey` in @apikey/core) that the bot uses: a slice of the real API,
// so every type the bot renders is the core's own view (KeyListItem, UsageReport, RotateResult…), imported from
// @apikey/core, never redeclared. Every rule (names, formats, budgets, windows, what rotation owes) is the
// core's: the bot only passes input through and renders what comes back.

export type CorePort = Pick<
  Apikey,
  "keys" | "profiles" | "tokens" | "usage" | "audit" | "claimOnce" | "forgetClaimsBefore" | "auditRefusal"
>;

/** Who the core records for a mutation: `slack:<team>/<user>`, with the display name when known. */
export interface SlackActorInfo {
  teamId: string | undefined;
  userId: string;
  displayName?: string | undefined;
}

/** The core as one person: every mutation it makes is audited under that person, front `slack`. */
export type CoreFor = (actor: SlackActorInfo) => CorePort;
