// Renders a command the way Raycast would (navigation stack, actions performed by title) with react-test-renderer,
// and reads back what a person sees. react-test-renderer is deprecated for apps but still ships with React 19 and
// turns host elements into a plain tree; a hand-written reconciler would be more code for the same view.
import { act, type ReactElement, useMemo, useState } from "react";
import TestRenderer, { type ReactTestInstance, type ReactTestRenderer } from "react-test-renderer";
import { Clipboard, NavigationContext } from "./mock/raycast-api.tsx";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function Navigator({
  root,
  onStack,
  onNav,
}: {
  root: ReactElement;
  onStack: (n: number) => void;
  onNav: (nav: { push(el: ReactElement): void }) => void;
}) {
  const [stack, setStack] = useState<ReactElement[]>([root]);
  const nav = useMemo(
    () => ({
      push: (el: ReactElement) =>
        setStack((s) => {
          onStack(s.length + 1);
          return [...s, el];
        }),
      pop: () =>
        setStack((s) => {
          onStack(Math.max(1, s.length - 1));
          return s.length > 1 ? s.slice(0, -1) : s;
        }),
    }),
    [onStack],
  );
  onNav(nav);
  return <NavigationContext.Provider value={nav}>{stack.at(-1)}</NavigationContext.Provider>;
}

/** Things a person can trigger: actions, and menu-bar items. */
const isAction = (n: ReactTestInstance) => {
  const type: string = typeof n.type === "string" ? n.type : "";
  return (type.startsWith("Action") && !type.startsWith("ActionPanel")) || type === "MenuBarExtra.Item";
};

export interface Seen {
  title: string;
  subtitle?: string;
  props: Record<string, unknown>;
  node: ReactTestInstance;
}

export class View {
  readonly renderer: ReactTestRenderer;
  depth = 1;
  /** Values typed into uncontrolled form fields. */
  readonly #typed = new Map<string, unknown>();

  constructor(renderer: ReactTestRenderer) {
    this.renderer = renderer;
  }

  get root(): ReactTestInstance {
    return this.renderer.root;
  }

  all(type: string): ReactTestInstance[] {
    return this.root.findAll((n) => n.type === type);
  }

  one(type: string): ReactTestInstance {
    const found = this.all(type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0] as ReactTestInstance;
  }

  items(type = "List.Item"): Seen[] {
    return this.all(type).map((node) => ({
      title: String(node.props.title),
      subtitle: node.props.subtitle as string | undefined,
      props: node.props,
      node,
    }));
  }

  item(title: string, type = "List.Item"): ReactTestInstance {
    const found = this.all(type).filter((n) => n.props.title === title);
    if (found.length !== 1) throw new Error(`expected one ${type} titled ${title}, found ${found.length}`);
    return found[0] as ReactTestInstance;
  }

  /** The titles of the actions under `scope` (an item) or the whole view, in order. */
  actionTitles(scope: ReactTestInstance = this.root): string[] {
    return scope
      .findAll((n) => typeof n.type === "string" && n.type.startsWith("Action"))
      .flatMap((n) => (String(n.type).startsWith("ActionPanel") ? [] : [String(n.props.title)]));
  }

  action(title: string, scope: ReactTestInstance = this.root): ReactTestInstance {
    const found = scope.findAll((n) => isAction(n) && n.props.title === title);
    if (found.length === 0) throw new Error(`no action titled ${title}; have ${this.actionTitles(scope).join(", ")}`);
    return found[0] as ReactTestInstance;
  }

  /** Performs an action as Raycast does for its type, then lets effects settle. */
  async perform(title: string, scope?: ReactTestInstance): Promise<void> {
    const node = this.action(title, scope);
    const p = node.props;
    await act(async () => {
      switch (String(node.type)) {
        case "Action.Push":
          this.#push(p.target as ReactElement);
          break;
        case "Action.CopyToClipboard":
          await Clipboard.copy(p.content as string, { concealed: p.concealed === true });
          break;
        case "Action.Paste":
          await Clipboard.paste(p.content as string);
          break;
        case "Action.SubmitForm":
          await (p.onSubmit as (v: Record<string, unknown>) => unknown)(this.formValues());
          break;
        default:
          await (p.onAction as (() => unknown) | undefined)?.();
      }
    });
    await this.settle();
  }

  #push: (el: ReactElement) => void = () => {
    throw new Error("no navigator");
  };

  bindNavigator(push: (el: ReactElement) => void) {
    this.#push = push;
  }

  formValues(): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const field of this.root.findAll(
      (n) => typeof n.type === "string" && n.type.startsWith("Form.") && n.props.id,
    )) {
      const id = String(field.props.id);
      values[id] = field.props.value ?? (this.#typed.has(id) ? this.#typed.get(id) : field.props.defaultValue);
    }
    return values;
  }

  field(id: string): ReactTestInstance {
    return this.root.find((n) => typeof n.type === "string" && n.type.startsWith("Form.") && n.props.id === id);
  }

  /** Types into a form field (calls its onChange like Raycast does). */
  async type(id: string, value: unknown): Promise<void> {
    const field = this.field(id);
    this.#typed.set(id, value);
    await act(async () => {
      (field.props.onChange as ((v: unknown) => void) | undefined)?.(value);
    });
  }

  /** Picks a value in a search-bar dropdown (or any single element with onChange) of `type`. */
  async choose(type: string, value: unknown): Promise<void> {
    const node = this.one(type);
    await act(async () => {
      (node.props.onChange as ((v: unknown) => void) | undefined)?.(value);
    });
  }

  /** Lets promises and effects run for a moment. */
  async settle(ms = 10): Promise<void> {
    await act(() => new Promise((r) => setTimeout(r, ms)));
  }

  /** Polls `check`; the benchmark polls with `intervalMs` 0 so the wait adds no sleep of its own. */
  async waitFor<T>(check: () => T | undefined | false, timeoutMs = 8000, intervalMs = 15): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      let value: T | undefined | false;
      let failure: unknown;
      try {
        value = check();
      } catch (err) {
        failure = err;
      }
      if (value) return value;
      if (Date.now() > until) throw failure ?? new Error("waitFor: condition never held");
      await this.settle(intervalMs);
    }
  }

  unmount() {
    act(() => this.renderer.unmount());
  }
}

export async function render(element: ReactElement): Promise<View> {
  let view: View | undefined = undefined;
  let renderer: ReactTestRenderer | undefined;
  const onStack = (n: number) => {
    if (view) view.depth = n;
  };
  let pushFn: ((el: ReactElement) => void) | undefined;
  const onNav = (nav: { push(el: ReactElement): void }) => {
    pushFn = nav.push;
  };
  function Root() {
    return <Navigator root={element} onStack={onStack} onNav={onNav} />;
  }
  await act(async () => {
    renderer = TestRenderer.create(<Root />);
  });
  view = new View(renderer as ReactTestRenderer);
  // Action.Push goes through the same navigation the components use.
  view.bindNavigator((el) => pushFn?.(el));
  await view.settle();
  return view;
}
