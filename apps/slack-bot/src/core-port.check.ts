import type { Apikey } from "@apikey/core";
import type { CorePort } from "./core-port.ts";

// Compile-time only: the core's real API satisfies the port the bot is written against.
export const portMatches = (app: Apikey): CorePort => app;
