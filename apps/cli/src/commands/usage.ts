import type { Command } from "commander";
import type { Action } from "../program.ts";

// Placeholder: filled in by its feature's work.
export function registerUsageCommands(_program: Command, _action: Action): void {}
