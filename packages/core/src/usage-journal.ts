// @apikey/core/usage-journal: the gateway's usage journal, the file names, the claim and the fold it shares with
// every read of usage or budgets (usage/journal). An entry of its own so the program's static imports (core's
// main entry) stay without the fold: a read with nothing to fold loads only names.ts (issue 25).

export { commitJournal, type FoldOptions, foldJournals, retireJournal } from "./usage/journal/fold.ts";
export { type JournalEntry, type JournalEvent, journalLine, readJournalLine } from "./usage/journal/lines.ts";
export {
  endJournalId,
  journalDirIn,
  journalFile,
  journalSetting,
  journalsToFold,
  newJournalId,
} from "./usage/journal/names.ts";
