import type { createRequire } from "node:module";

type Require = ReturnType<typeof createRequire>;

// Node's own modules that a bundle's code asks for when one of its modules initialises, but that most commands never
// use: node:crypto (≈190 pages of memory and ≈15 ms of CPU to load, with its dozen internal modules and OpenSSL's
// set-up; `list` and `status` decrypt nothing), the streams, readline and the network modules. The bundle reaches
// each of their exports as a property of the module object at the moment it uses it (esbuild's CommonJS output calls
// `import_node_crypto.randomBytes(…)`), so handing it a stand-in object that loads the real module on the first such
// access keeps every use the same and moves the loading to where the command needs it (issue 25).
//
// Only modules whose export is a plain object are listed: a stand-in cannot be called or constructed, so
// node:events, node:stream, node:assert and node:module (functions) are never deferred.
const DEFERRED = new Set([
  "crypto",
  "readline",
  "readline/promises",
  "fs/promises",
  "stream/promises",
  "os",
  "http",
  "https",
  "net",
  "tls",
  "zlib",
  "dns",
  "child_process",
  "worker_threads",
]);

/** `base` with each module of DEFERRED given as a stand-in that loads it on first use; all else as `base` gives it. */
export function withDeferredBuiltins(base: Require): Require {
  const standIns = new Map<string, object>();
  const deferring = (id: string) => {
    const name = id.startsWith("node:") ? id.slice("node:".length) : id;
    if (!DEFERRED.has(name)) return base(id);
    let standIn = standIns.get(name);
    if (standIn === undefined) {
      standIn = loadedOnFirstUse(() => base(id) as object);
      standIns.set(name, standIn);
    }
    return standIn;
  };
  return Object.assign(deferring, {
    resolve: base.resolve,
    cache: base.cache,
    main: base.main,
    extensions: base.extensions,
  }) as Require;
}

/** An object that behaves as the module `load` returns, loading it when first read, written or inspected. */
function loadedOnFirstUse(load: () => object): object {
  let real: object | undefined;
  const module = () => {
    real ??= load();
    return real;
  };
  return new Proxy(
    {},
    {
      get: (_, key) => Reflect.get(module(), key),
      set: (_, key, value) => Reflect.set(module(), key, value),
      has: (_, key) => Reflect.has(module(), key),
      deleteProperty: (_, key) => Reflect.deleteProperty(module(), key),
      defineProperty: (_, key, descriptor) => Reflect.defineProperty(module(), key, descriptor),
      ownKeys: () => Reflect.ownKeys(module()),
      // The stand-in's own target is empty, so what it reports as its own must be configurable (a Proxy invariant).
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(module(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
      getPrototypeOf: () => Reflect.getPrototypeOf(module()),
    },
  );
}
