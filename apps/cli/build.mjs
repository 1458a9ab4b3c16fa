// dist/apikey.cjs is the entry: CommonJS, a launcher and a router, nothing else. `apikey current` runs dist/hot.cjs
// (that path and the JavaScript of better-sqlite3: one file and one native addon); every other command runs
// dist/program.cjs, the whole program in one CommonJS bundle whose modules initialise when first imported. Large
// third-party libraries only some commands use are bundles of their own in dist/lib/. Each of these bundles runs
// with V8's code cache made for it at build time (src/launch/cached-script.ts, scripts/code-cache.mjs). Native
// addons stay external and resolve from this package's node_modules.
import { spawnSync } from "node:child_process";
import { chmod, readFile, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const LAUNCHED = "apikey:args-prefixed"; // src/launch/node-argv.ts, LAUNCHED

// Build beside dist/ and swap it in at the end, so a CLI run (a test, a script) never sees a half-written dist/.
const final = new URL("./dist/", import.meta.url);
const staging = `dist.${process.pid}.tmp`;
const dist = new URL(`./${staging}/`, import.meta.url);
await rm(dist, { recursive: true, force: true });

// The entry is also its own launcher, a file that is both a shell script and JavaScript: the shell runs the first
// two lines (Node skips the #! line, and the second is a string and a comment to it). Node reads some options from a
// script's arguments too (`--env-file`, `--experimental-config-file`: src/launch/node-argv.ts), so the shell hands
// Node each argument prefixed with "+" after a marker: nothing a person types reaches Node as one of its options.
const LAUNCHER = [
  "#!/bin/sh",
  `':' //; n=$#; while [ "$n" -gt 0 ]; do set -- "$@" "+$1"; shift; n=$((n - 1)); done; exec node -- "$0" ${LAUNCHED} "$@"`,
].join("\n");

// zod's full entry re-exports every language's error messages as `z.locales` (about 360 kB of the program bundle,
// parsed on every start of every command but `current`); apikey uses only English, zod's default.
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core|mini)[\\/]/.test(args.importer)
        ? { path: args.importer, namespace: "zod-english-only" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-english-only" }, (args) => ({
      contents: 'export { default as en } from "../locales/en.js";',
      resolveDir: dirname(args.path),
      loader: "js",
    }));
  },
};

// Drizzle's dialect-neutral core (sql/sql.js, relations.js) imports two things from pg-core, and through them about
// 45 of pg-core's modules (56 kB) that a SQLite store then loads on every open. What it uses is a symbol check and a
// class it compares by its entity kind (drizzle's is() walks the kinds); these two stand-ins do exactly the same
// without the rest of pg-core. A PostgreSQL store loads pg-core itself, through its own schema.
const drizzleWithoutPgCore = {
  name: "drizzle-without-pg-core",
  setup(b) {
    const stubs = {
      "../pg-core/columns/enum.js": [
        /[\\/]drizzle-orm[\\/]sql[\\/]sql\.js$/,
        `const isPgEnumSym = Symbol.for("drizzle:isPgEnum");
export function isPgEnum(obj) {
  return !!obj && typeof obj === "function" && isPgEnumSym in obj && obj[isPgEnumSym] === true;
}`,
      ],
      "./pg-core/primary-keys.js": [
        /[\\/]drizzle-orm[\\/]relations\.js$/,
        `import { entityKind } from "./entity.js";
export class PrimaryKeyBuilder {
  static [entityKind] = "PgPrimaryKeyBuilder";
}`,
      ],
    };
    b.onResolve({ filter: /^\.\.?\/pg-core\/(columns\/enum|primary-keys)\.js$/ }, (args) => {
      const stub = stubs[args.path];
      return stub?.[0].test(args.importer)
        ? { path: `${args.importer}:${args.path}`, namespace: "drizzle-without-pg-core", pluginData: args }
        : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: "drizzle-without-pg-core" }, ({ pluginData }) => ({
      contents: stubs[pluginData.path][1],
      resolveDir: dirname(pluginData.importer),
      loader: "js",
    }));
  },
};

// Commander imports node:child_process (and with it net, stream and more) on every start, for a feature apikey never
// uses: subcommands that are separate executables. Its three spawn() calls fetch the module when called instead.
const commanderSpawnsLazily = {
  name: "commander-spawns-lazily",
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const eager = "import childProcess from 'node:child_process';";
      if (!source.includes(eager)) throw new Error(`commander changed: no "${eager}" in ${args.path}`);
      const lazy = `const childProcess = { spawn: (...a) => process.getBuiltinModule("node:child_process").spawn(...a) };`;
      return { contents: source.replace(eager, lazy), loader: "js" };
    });
  },
};

// A bundle runs in a vm.Script (src/launch/cached-script.ts), where V8 refuses import() without a loader of Node's
// that is still experimental in Node 20 (and says so on stderr). The one package a bundle imports that way, the
// keychain's addon, is required instead: it is CommonJS, and require is the bundle's own.
const addonsRequired = {
  name: "addons-required",
  setup(b) {
    b.onResolve({ filter: /^@napi-rs\/keyring$/ }, (args) =>
      args.kind === "dynamic-import"
        ? { path: args.path, namespace: "addon-required" }
        : { path: args.path, external: true },
    );
    b.onLoad({ filter: /.*/, namespace: "addon-required" }, ({ path }) => ({
      contents: `module.exports = require(${JSON.stringify(path)});`,
      loader: "js",
    }));
  },
};

const common = {
  bundle: true,
  plugins: [zodEnglishOnly, drizzleWithoutPgCore, commanderSpawnsLazily, addonsRequired],
  platform: "node",
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
};

await build({
  ...common,
  entryPoints: { apikey: "src/main.ts" },
  outdir: staging,
  outExtension: { ".js": ".cjs" },
  format: "cjs",
  external: ["@napi-rs/keyring"],
  // The keychain module finds its addon with createRequire(import.meta.url), which CommonJS lacks.
  define: { "import.meta.url": "__apikeyImportMetaUrl" },
  banner: {
    js: `${LAUNCHER}\nconst __apikeyImportMetaUrl = require('node:url').pathToFileURL(__filename).href;`,
  },
});

// Every bundle the entry runs with V8's code cache (src/launch/cached-script.ts): CommonJS, ASCII with no comments, so
// the loader reads it byte for byte with no UTF-8 decoding; some modules find files with createRequire(import.meta.url),
// which CommonJS lacks. The file is written inside CommonJS's own wrapper (the five names `require` gives a module), one
// function expression the loader compiles as it is and calls: the loader never has to copy the source to wrap it.
const cachedBundle = {
  format: "cjs",
  charset: "ascii",
  minifyWhitespace: true,
  minifySyntax: true,
  define: { "import.meta.url": "__apikeyImportMetaUrl" },
  banner: {
    js: "(function (exports, require, module, __filename, __dirname) { const __apikeyImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
  },
  footer: { js: "});" },
};

// The hot path of `apikey current`.
await build({
  ...common,
  ...cachedBundle,
  entryPoints: { hot: "src/hot/current.ts" },
  outdir: staging,
  outExtension: { ".js": ".cjs" },
  external: ["@napi-rs/keyring"],
});

// Libraries some commands use, each a bundle of its own (dist/lib/NAME.cjs): the Anthropic SDK (add's validation,
// rotation, usage reports, federation), undici (the gateway's upstream), the prompts. Only leaf libraries that import
// nothing of apikey's own packages: no class of ours exists twice, so `instanceof` holds across bundles.
const LIBRARIES = {
  "anthropic-sdk": {
    from: "../../packages/core",
    specifiers: [
      "@anthropic-ai/sdk",
      "@anthropic-ai/sdk/lib/credentials/oidc-federation",
      "@anthropic-ai/sdk/lib/credentials/token-cache",
    ],
  },
  undici: { from: "../../packages/gateway", specifiers: ["undici"] },
  prompts: { from: ".", specifiers: ["@inquirer/password", "@inquirer/confirm"] },
  // zod (bundles, usage reports, the Admin API's answers) and pg (a PostgreSQL store) are imported statically by the
  // modules that use them, which initialise only when a command reaches them (tests/e2e/issue25-read-start.test.ts
  // keeps them out of what every start loads): in bundles of their own, the ~390 kB of their source is no longer
  // read, copied and hashed by each start of the program, most of which use neither.
  zod: { from: "../../packages/core", specifiers: ["zod"], imported: "statically" },
  pg: { from: "../../packages/storage", specifiers: ["pg"], imported: "statically" },
};
const LIBRARY_OF = new Map(
  Object.entries(LIBRARIES).flatMap(([name, lib]) => lib.specifiers.map((s) => [s, { name, ...lib }])),
);

// The program's `await import("@anthropic-ai/sdk")` becomes a module that takes the SDK's exports from its bundle
// (src/launch/libraries.ts), with the same export names: they are read here, from the library itself. A static import
// of one is refused unless its entry says `imported: "statically"` (a library whose importers initialise only when a
// command reaches them): a static import from a module every start initialises would load it on every start.
const librariesApart = {
  name: "libraries-apart",
  setup(b) {
    const filter = new RegExp(
      `^(${[...LIBRARY_OF.keys()].map((s) => s.replace(/[/.]/g, "\\$&")).join("|")})$`,
    );
    b.onResolve({ filter }, (args) => {
      if (args.namespace === "library") return undefined;
      if (args.kind !== "dynamic-import" && LIBRARY_OF.get(args.path)?.imported !== "statically") {
        return {
          errors: [{ text: `${args.path} is imported statically by ${args.importer}: use import()` }],
        };
      }
      return { path: args.path, namespace: "library" };
    });
    b.onLoad({ filter: /.*/, namespace: "library" }, async ({ path }) => {
      const lib = LIBRARY_OF.get(path);
      const resolved = createRequire(new URL(`${lib.from}/package.json`, import.meta.url)).resolve(path);
      const names = Object.keys(await import(pathToFileURL(resolved).href)).filter((n) => n !== "default");
      const lines = [
        `import { libraryExports } from ${JSON.stringify(fileURLToPath(new URL("./src/launch/libraries.ts", import.meta.url)))};`,
        `const ns = libraryExports(${JSON.stringify(lib.name)}, ${JSON.stringify(path)});`,
        "export default ns.default;",
        // Through a local name: an export may be a reserved word (zod's `catch`, `enum`, `function`…).
        ...names.map((n, i) => `const e${i} = ns[${JSON.stringify(n)}];\nexport { e${i} as ${n} };`),
      ];
      return {
        contents: lines.join("\n"),
        loader: "js",
        resolveDir: fileURLToPath(new URL(".", import.meta.url)),
      };
    });
  },
};

// The program: nothing runs at load but the modules every command needs; a command's own modules initialise when it
// imports them.
await build({
  ...common,
  ...cachedBundle,
  plugins: [...common.plugins, librariesApart],
  entryPoints: { program: "src/program.ts" },
  outdir: staging,
  outExtension: { ".js": ".cjs" },
  // better-sqlite3's JavaScript is bundled (and code-cached) as in the hot path; its addon is loaded by path
  // (packages/storage/src/drivers/addon.ts). pg-native: node-postgres's optional libpq binding, never used.
  external: ["@napi-rs/keyring", "pg-native"],
});

for (const [name, lib] of Object.entries(LIBRARIES)) {
  await build({
    ...common,
    ...cachedBundle,
    stdin: {
      contents: lib.specifiers.map((s, i) => `export * as l${i} from ${JSON.stringify(s)};`).join("\n"),
      resolveDir: fileURLToPath(new URL(lib.from, import.meta.url)),
    },
    // Keyed by specifier, as libraryExports asks for them; then the wrapper's end.
    footer: {
      js: `module.exports = { ${lib.specifiers.map((s, i) => `${JSON.stringify(s)}: module.exports.l${i}`).join(", ")} };\n${cachedBundle.footer.js}`,
    },
    outfile: `${staging}/lib/${name}.cjs`,
    external: ["better-sqlite3", "@napi-rs/keyring", "pg-native"],
  });
}

await chmod(new URL("apikey.cjs", dist), 0o755);

// V8's code cache for the hot path, made by running it once on a throwaway store (scripts/code-cache.mjs).
const cache = spawnSync(
  process.execPath,
  [fileURLToPath(new URL("./scripts/code-cache.mjs", import.meta.url)), staging],
  {
    encoding: "utf8",
    // The cache is only used by a Node with the same V8 flags: make it with none.
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
  },
);
if (cache.status !== 0)
  throw new Error(`code cache: ${cache.stderr || cache.stdout || `exit ${cache.status}`}`);

const old = new URL(`./dist.${process.pid}.old/`, import.meta.url);
await rename(final, old).catch((err) => {
  if (err.code !== "ENOENT") throw err;
});
await rename(dist, final);
await rm(old, { recursive: true, force: true });
