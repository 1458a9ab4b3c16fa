import type { App } from "@slack/bolt";
import * as buttons from "./actions/buttons.ts";
import * as apikeyCommand from "./commands/apikey.ts";
import type { BotDeps } from "./deps.ts";
import * as appHome from "./events/app-home.ts";
import * as forms from "./views/forms.ts";

// Every listener the bot has. The manifest test registers these against a recorder to check that the manifest
// declares exactly what is handled.
export function registerListeners(app: App, deps: BotDeps): void {
  apikeyCommand.register(app, deps);
  appHome.register(app, deps);
  forms.register(app, deps);
  buttons.register(app, deps);
}
