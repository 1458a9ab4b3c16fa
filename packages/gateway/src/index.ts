// The local Anthropic gateway behind `apikey proxy` (issue 3). Filled in by the gateway work.
export {};
