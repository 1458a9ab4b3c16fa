import type { Logger } from "@slack/bolt";
import type { Policy } from "../authz/config-file.ts";
import type { Directory } from "../authz/decide.ts";
import type { CoreFor } from "../core-port.ts";
import type { OnRefusal } from "../guards.ts";
import type { Clock } from "../scheduler/loop.ts";

// Its own module so that listeners need not import app.ts, which registers them (that was an import cycle).

/** What every listener gets besides Bolt's arguments. */
export interface BotDeps {
  core: CoreFor | undefined;
  clock: Clock;
  policy: Policy;
  directory: Directory;
  logger: Logger;
  onRefusal: OnRefusal;
}
