// A small stand-in for @raycast/api (whose npm package holds types and the `ray` CLI only). Components render as
// plain host elements named after the component ("List.Item"), so react-test-renderer shows their props; element
// props Raycast renders itself (actions, accessories, dropdowns, detail) are rendered as children so their hooks run.
// Side effects (toasts, HUDs, clipboard, launches, alerts) are recorded in `recorded` for assertions.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createContext, createElement, type ReactElement, type ReactNode, useContext, useLayoutEffect } from "react";

type Props = Record<string, unknown> & { children?: ReactNode };

const RENDERED_PROPS = ["actions", "searchBarAccessory", "detail", "metadata"] as const;

/** How many times each component was committed: lets the benchmark wait for the screen without walking the tree. */
export const commitCounts: Record<string, number> = {};

function host(type: string) {
  const Component = (props: Props) => {
    useLayoutEffect(() => {
      commitCounts[type] = (commitCounts[type] ?? 0) + 1;
    });
    const { children, ...rest } = props;
    const extra = RENDERED_PROPS.filter((p) => rest[p] !== undefined && rest[p] !== null).map((p) =>
      createElement(`slot:${p}`, { key: `slot:${p}` }, rest[p] as ReactNode),
    );
    return createElement(type, rest, children, ...extra);
  };
  Component.displayName = type;
  return Component;
}

/** Names as values: `Icon.Key === "Key"`, `Color.Green === "Green"`. */
const names = () =>
  new Proxy({}, { get: (_t, prop) => (typeof prop === "string" ? prop : undefined) }) as Record<string, string>;

export const Icon = names();
export const Color = names();
export const Image = { Mask: names() };
export const Keyboard = { Shortcut: { Common: names() } };

export const List = Object.assign(host("List"), {
  Item: Object.assign(host("List.Item"), {
    Detail: Object.assign(host("List.Item.Detail"), { Metadata: host("List.Item.Detail.Metadata") }),
  }),
  Section: host("List.Section"),
  EmptyView: host("List.EmptyView"),
  Dropdown: Object.assign(host("List.Dropdown"), {
    Item: host("List.Dropdown.Item"),
    Section: host("List.Dropdown.Section"),
  }),
});

const Metadata = Object.assign(host("Detail.Metadata"), {
  Label: host("Detail.Metadata.Label"),
  TagList: Object.assign(host("Detail.Metadata.TagList"), { Item: host("Detail.Metadata.TagList.Item") }),
  Separator: host("Detail.Metadata.Separator"),
  Link: host("Detail.Metadata.Link"),
});
export const Detail = Object.assign(host("Detail"), { Metadata });

export const Form = Object.assign(host("Form"), {
  TextField: host("Form.TextField"),
  PasswordField: host("Form.PasswordField"),
  TextArea: host("Form.TextArea"),
  Checkbox: host("Form.Checkbox"),
  Dropdown: Object.assign(host("Form.Dropdown"), {
    Item: host("Form.Dropdown.Item"),
    Section: host("Form.Dropdown.Section"),
  }),
  Description: host("Form.Description"),
  Separator: host("Form.Separator"),
});

export const ActionPanel = Object.assign(host("ActionPanel"), {
  Section: host("ActionPanel.Section"),
  Submenu: host("ActionPanel.Submenu"),
});

export const Action = Object.assign(host("Action"), {
  Push: host("Action.Push"),
  CopyToClipboard: host("Action.CopyToClipboard"),
  Paste: host("Action.Paste"),
  SubmitForm: host("Action.SubmitForm"),
  OpenInBrowser: host("Action.OpenInBrowser"),
  Open: host("Action.Open"),
  ShowInFinder: host("Action.ShowInFinder"),
  Style: { Regular: "regular", Destructive: "destructive" },
});

export const MenuBarExtra = Object.assign(host("MenuBarExtra"), {
  Item: host("MenuBarExtra.Item"),
  Section: host("MenuBarExtra.Section"),
  Submenu: host("MenuBarExtra.Submenu"),
  Separator: host("MenuBarExtra.Separator"),
});

// --- navigation: the test harness provides the stack ---------------------------------------------------------

export interface Navigation {
  push(element: ReactElement): void;
  pop(): void;
}
export const NavigationContext = createContext<Navigation | null>(null);
export function useNavigation(): Navigation {
  const nav = useContext(NavigationContext);
  if (!nav) throw new Error("useNavigation outside a rendered command (wrap it with the test harness)");
  return nav;
}

// --- recorded side effects ----------------------------------------------------------------------------------

export interface ToastState {
  style: string;
  title: string;
  message: string | undefined;
}
export const recorded = {
  /** Every state a toast went through (an animated toast updated to success records twice). */
  toasts: [] as ToastState[],
  huds: [] as string[],
  copies: [] as Array<{ content: string; concealed: boolean }>,
  pastes: [] as string[],
  launches: [] as Array<{ name: string; type: string }>,
  alerts: [] as Array<{ title: string; message?: string; primary?: string }>,
  opened: [] as string[],
  /** console.* output while a test runs (installed by the harness). */
  logs: [] as string[],
};

/** Test-only knobs. */
const initialState = () => ({
  root: "",
  preferences: {} as Record<string, unknown>,
  confirmAnswer: true,
  launchType: "userInitiated",
  commandMode: "view",
  commandName: "switch-api-key",
});
export const mockState = initialState();

/**
 * The mock as a fresh import has it: no root or preferences, nothing recorded, an empty LocalStorage, the default
 * knobs, no commits counted. The test files share one module graph per worker (vitest.config.mts), so test/setup.ts
 * calls this before every test: nothing one file left here reaches the next.
 */
export function freshMock(): void {
  Object.assign(mockState, initialState());
  for (const list of Object.values(recorded)) list.length = 0;
  localStorage.clear();
  for (const type of Object.keys(commitCounts)) delete commitCounts[type];
}

export function resetMock(root: string, preferences: Record<string, unknown>): void {
  mockState.root = root;
  mockState.preferences = preferences;
  mockState.confirmAnswer = true;
  for (const list of Object.values(recorded)) list.length = 0;
  localStorage.clear();
  mkdirSync(environment.supportPath, { recursive: true });
}

export const LaunchType = { UserInitiated: "userInitiated", Background: "background" } as const;

export const environment = {
  get supportPath() {
    return join(mockState.root, "support");
  },
  get assetsPath() {
    return join(mockState.root, "assets");
  },
  get launchType() {
    return mockState.launchType;
  },
  get commandMode() {
    return mockState.commandMode;
  },
  get commandName() {
    return mockState.commandName;
  },
  extensionName: "api-key-switcher",
  isDevelopment: true,
  appearance: "dark",
  raycastVersion: "1.104.0",
  textSize: "medium",
  canAccess: () => true,
};

export function getPreferenceValues<T>(): T {
  return { ...mockState.preferences } as T;
}

export class Toast {
  static Style = { Animated: "animated", Success: "success", Failure: "failure" } as const;
  #state: ToastState;
  primaryAction: unknown;
  constructor(options: { style?: string; title: string; message?: string }) {
    this.#state = { style: options.style ?? Toast.Style.Success, title: options.title, message: options.message };
  }
  #record() {
    recorded.toasts.push({ ...this.#state });
  }
  get style() {
    return this.#state.style;
  }
  set style(v: string) {
    this.#state.style = v;
    this.#record();
  }
  get title() {
    return this.#state.title;
  }
  set title(v: string) {
    this.#state.title = v;
    this.#record();
  }
  get message() {
    return this.#state.message;
  }
  set message(v: string | undefined) {
    this.#state.message = v;
    this.#record();
  }
  async show() {
    this.#record();
  }
  async hide() {}
}

export async function showToast(
  styleOrOptions: string | { style?: string; title: string; message?: string; primaryAction?: unknown },
  title?: string,
  message?: string,
): Promise<Toast> {
  const options =
    typeof styleOrOptions === "string" ? { style: styleOrOptions, title: title ?? "", message } : styleOrOptions;
  const toast = new Toast(options);
  await toast.show();
  return toast;
}

export async function showHUD(title: string): Promise<void> {
  recorded.huds.push(title);
}

export const Clipboard = {
  async copy(content: string | { text: string }, options: { concealed?: boolean } = {}) {
    const text = typeof content === "string" ? content : content.text;
    recorded.copies.push({ content: text, concealed: options.concealed === true });
  },
  async paste(content: string | { text: string }) {
    recorded.pastes.push(typeof content === "string" ? content : content.text);
  },
  async readText() {
    return recorded.copies.at(-1)?.content;
  },
  async clear() {},
};

export async function launchCommand(options: { name: string; type: string }): Promise<void> {
  recorded.launches.push({ name: options.name, type: options.type });
}

export const Alert = { ActionStyle: { Default: "default", Destructive: "destructive", Cancel: "cancel" } } as const;

export async function confirmAlert(options: { title: string; message?: string; primaryAction?: { title: string } }) {
  recorded.alerts.push({ title: options.title, message: options.message, primary: options.primaryAction?.title });
  return mockState.confirmAnswer;
}

export async function open(target: string): Promise<void> {
  recorded.opened.push(target);
}
export async function openExtensionPreferences(): Promise<void> {
  recorded.opened.push("extension-preferences");
}
export async function popToRoot(): Promise<void> {}
export async function closeMainWindow(): Promise<void> {}
export async function updateCommandMetadata(): Promise<void> {}

const localStorage = new Map<string, string>();
export const LocalStorage = {
  async getItem(key: string) {
    return localStorage.get(key);
  },
  async setItem(key: string, value: string | number | boolean) {
    localStorage.set(key, String(value));
  },
  async removeItem(key: string) {
    localStorage.delete(key);
  },
  async allItems() {
    return Object.fromEntries(localStorage);
  },
  async clear() {
    localStorage.clear();
  },
};

/** Raycast's Cache writes plain files; so does this one (under <root>/cache), so a canary can scan them. */
export class Cache {
  readonly #namespace: string;
  readonly #subscribers = new Set<(key: string | undefined, data: string | undefined) => void>();
  constructor(options: { namespace?: string } = {}) {
    this.#namespace = options.namespace ?? "default";
  }
  // Resolved on every call: @raycast/utils keeps Cache instances for the module's lifetime, across tests.
  get #dir() {
    return join(mockState.root, "cache", this.#namespace);
  }
  #file(key: string) {
    return join(this.#dir, createHash("sha256").update(key).digest("hex"));
  }
  get(key: string): string | undefined {
    try {
      return readFileSync(this.#file(key), "utf8");
    } catch {
      return undefined;
    }
  }
  has(key: string) {
    return this.get(key) !== undefined;
  }
  set(key: string, data: string) {
    mkdirSync(this.#dir, { recursive: true });
    writeFileSync(this.#file(key), data);
    for (const s of this.#subscribers) s(key, data);
  }
  remove(key: string) {
    rmSync(this.#file(key), { force: true });
    for (const s of this.#subscribers) s(key, undefined);
    return true;
  }
  clear() {
    rmSync(this.#dir, { recursive: true, force: true });
    for (const s of this.#subscribers) s(undefined, undefined);
  }
  get isEmpty() {
    return false;
  }
  subscribe = (fn: (key: string | undefined, data: string | undefined) => void) => {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  };
}

// Imported by @raycast/utils; unused here.
export const AI = { ask: async () => "" };
export const OAuth = { PKCEClient: class {}, RedirectMethod: names() };
