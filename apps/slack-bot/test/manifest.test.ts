import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { App } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { BotDeps } from "../src/app.ts";
import { registerListeners } from "../src/listeners/index.ts";

// The manifest and the code must agree: every command, event and Web API scope the code uses is declared, and
// nothing declared goes unused. The code side is read from the listeners themselves (registered against a
// recorder) and from the Web API calls written in src/.

const root = new URL("..", import.meta.url).pathname;
const manifest = parse(readFileSync(join(root, "manifest.yaml"), "utf8"));

function handled() {
  const seen = { commands: new Set<string>(), events: new Set<string>(), interactive: 0 };
  const recorder = {
    command: (name: string) => seen.commands.add(name),
    event: (name: string) => seen.events.add(name),
    view: () => seen.interactive++,
    action: () => seen.interactive++,
    shortcut: () => seen.interactive++,
    use: () => undefined,
  };
  registerListeners(recorder as unknown as App, {} as BotDeps);
  return seen;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".test.ts") ? [path] : [];
  });
}

// What each Web API method needs. A method missing here fails the test: add it with its scope.
const SCOPE_OF: Record<string, string | null> = {
  "chat.postMessage": "chat:write",
  "chat.postEphemeral": "chat:write",
  "users.info": "users:read",
  "usergroups.users.list": "usergroups:read",
  "views.open": null,
  "views.update": null,
  "views.push": null,
  "views.publish": null,
};

function webApiMethods(): Set<string> {
  const methods = new Set<string>();
  for (const file of sourceFiles(join(root, "src"))) {
    // `client.usergroups.users\n  .list(` as the formatter breaks it, too.
    for (const m of readFileSync(file, "utf8").matchAll(/\bclient((?:\s*\.\s*[a-zA-Z]+){2,})\s*\(/g)) {
      methods.add((m[1] as string).replace(/\s/g, "").slice(1));
    }
  }
  return methods;
}

// Declared for work that is planned but not written yet. Each entry must really be unused, so the list cannot go
// stale: once the code uses the scope, this test fails until the entry is removed.
const DECLARED_AHEAD = new Set<string>([]);

describe("manifest.yaml", () => {
  const code = handled();

  it("declares exactly the slash commands the code handles, each with a usage hint", () => {
    const declared = manifest.features.slash_commands as { command: string; usage_hint?: string }[];
    expect(new Set(declared.map((c) => c.command))).toEqual(code.commands);
    for (const c of declared) expect(c.usage_hint).toBeTruthy();
  });

  it("declares exactly the events the code handles, and App Home with them", () => {
    expect(new Set(manifest.settings.event_subscriptions.bot_events)).toEqual(code.events);
    expect(manifest.features.app_home.home_tab_enabled).toBe(code.events.has("app_home_opened"));
  });

  it("declares exactly the scopes the code's Web API calls and commands need", () => {
    const methods = webApiMethods();
    const unknown = [...methods].filter((m) => !(m in SCOPE_OF));
    expect(unknown).toEqual([]);
    const needed = new Set([...methods].map((m) => SCOPE_OF[m]).filter((s): s is string => !!s));
    if (code.commands.size > 0) needed.add("commands");
    const declared = new Set<string>(manifest.oauth_config.scopes.bot);
    for (const scope of DECLARED_AHEAD) {
      expect(needed.has(scope), `${scope} is used now: remove it from DECLARED_AHEAD`).toBe(false);
      needed.add(scope);
    }
    expect(declared).toEqual(needed);
  });

  it("keeps Socket Mode on and interactivity on", () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });
});
