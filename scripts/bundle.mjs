#!/usr/bin/env node
// Bundle a connector into dist/, in parts, so the bin starts as fast as a bare `node`:
//
//   dist/index.cjs     the bin, which is the front: small and zod-free (with dist/front-lists.cjs,
//                      loaded after its first answer): answers initialize, ping and the list
//                      requests from the manifest; loads main.cjs on the first other request.
//                      CommonJS, as is the loader: Node's ES module loader costs a bare process about
//                      a tenth more time to start, and the front is what every start pays for.
//   dist/main.cjs      the full server (the kit, the MCP SDK, zod and the handlers, tree-shaken),
//                      CommonJS so that dist/load.cjs can load it through V8's code cache
//   dist/connector.js  the connector definition, for library use (importing it starts nothing; the
//                      kit, the SDK and zod come from the importer, so several connectors share them)
//   dist/manifest.json what the front answers, built by the live server itself at build time (the
//                      front inlines it, less the tools/list entries: dist/tool-entries.jsonl)
//   dist/commands.js   optional: the bin's other commands (`patchbay-gdrive auth`), from src/commands.ts
//   dist/vendor/*.cjs  optional: big client libraries the package.json names in `patchbay.vendor`
//                      (devDependencies), each bundled on its own and loaded through a code cache
//                      of its own when the server first imports it (see "Vendor bundles" below)
//
// No source maps unless PATCHBAY_SOURCEMAPS=1: the bundles are what npm ships, and a map of a
// minified bundle (the SDK, zod and the kit inlined) is three times the code it maps.
//
// The service's client libraries (the package's `dependencies`) stay external and are imported on
// first use, so they cost nothing at start-up. Conventions this relies on: src/connector.ts
// exports the definition (`export const <name>Connector = defineConnector(...)`) and
// src/config.ts exports `options` (and `check`, `switches` when the definition has them).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const cwd = process.cwd();
const pkg = JSON.parse(await readFile(path.join(cwd, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {}).flatMap((name) => [name, `${name}/*`]);
// Vendor bundles: a client library big enough that compiling it is most of the first call that
// uses it (puppeteer-core: ~140 ms of ES module loading, and the garbage of it collected during
// the next calls) is bundled into a file of its own and read through V8's code cache like the
// server; in the server it would make every start's first call read and hash megabytes it may
// not need. A vendor library is a devDependency: npm installs the bundle, not the package's tree.
const vendor = pkg.patchbay?.vendor ?? [];
for (const name of vendor) {
  if (!pkg.devDependencies?.[name])
    throw new Error(`patchbay.vendor: ${name} must be a devDependency (it ships inside dist/vendor)`);
}
/** dist/vendor/<file> of each vendor library, relative to dist/. */
const vendorFiles = Object.fromEntries(
  vendor.map((name) => [name, `vendor/${name.replace(/^@/, '').replace(/[^\w.-]/g, '_')}.cjs`]),
);
const vendorExternal = vendor.flatMap((name) => [name, `${name}/*`]);
const connectorSource = await readFile(path.join(cwd, 'src/connector.ts'), 'utf8');
const exportName = /export const (\w+) = defineConnector\(/.exec(connectorSource)?.[1];
if (!exportName) throw new Error('src/connector.ts must `export const <name>Connector = defineConnector(...)`');

const sourcemap = process.env.PATCHBAY_SOURCEMAPS === '1' ? 'linked' : false;
const common = {
  absWorkingDir: cwd,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  treeShaking: true,
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'linked',
  logLevel: 'warning',
  define: { 'process.env.PATCHBAY_VERSION': JSON.stringify(pkg.version) },
  // Some bundled CommonJS (ajv, inside the SDK) calls require(); give ESM output one.
  banner: {
    js: "import { createRequire as __patchbayRequire } from 'node:module'; const require = __patchbayRequire(import.meta.url);",
  },
};
// CommonJS has no import.meta: every CommonJS output (the server, a vendor bundle, the front's
// option code) gets the file's URL instead, worked out when first read — node:url's conversion at
// load was a tenth of what loading the option code cost before tools/list could be answered.
const cjs = {
  ...common,
  format: 'cjs',
  define: { ...common.define, 'import.meta.url': '__patchbayMeta.url' },
  banner: {
    js: "const __patchbayMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };",
  },
};
/** An entry written inline, resolved from the package folder. */
const virtual = (contents) => ({ contents, resolveDir: cwd, sourcefile: 'entry.ts', loader: 'ts' });

await rm(path.join(cwd, 'dist'), { recursive: true, force: true });

// 1. The server, self-contained, as CommonJS: the front loads it through V8's code cache
//    (kit: code-cache.ts), which takes scripts, not ES modules. One file: CommonJS has no chunks.
const server = await build({
  ...cjs,
  stdin: virtual(
    [
      "import { runConnector } from '@patchbay/kit';",
      `import { ${exportName} } from './src/connector.ts';`,
      '/** The full bin; the front calls it with the conversation so far when it hands over. */',
      `export const start = (io) => runConnector(${exportName}, process.argv.slice(2), process.env, io);`,
    ].join('\n'),
  ),
  outfile: 'dist/main.cjs',
  external: [...external, ...vendorExternal],
  sourcemap,
  metafile: true,
});

// The server's dynamic imports (its client libraries, loaded on first use) call the loader's
// import() instead: V8 restores a script from a cache without the callback import() needs on
// Node 20 (kit: code-cache.ts). A build that leaves one behind fails here, not at a user's call.
// (With PATCHBAY_SOURCEMAPS=1, columns after such a call on its line are off by the longer name.)
const mainFile = path.join(cwd, 'dist/main.cjs');
const DYNAMIC_IMPORT = /(?<![\w$.])import\((?=["'`])/g;
const built = await readFile(mainFile, 'utf8');
const serverCode = built.replace(DYNAMIC_IMPORT, '__patchbayImport(');
const leftover = /(?<![\w$.])import\(/.exec(serverCode);
if (leftover) {
  throw new Error(
    `dist/main.cjs: a dynamic import the loader cannot serve: ${serverCode.slice(leftover.index, leftover.index + 80)}`,
  );
}
// The rewrite reads text: as many rewrites as esbuild left dynamic imports, or it changed a string
// that merely spells "import(" (a code generator's, as one in puppeteer's tree does).
const rewritten = built.match(DYNAMIC_IMPORT)?.length ?? 0;
const dynamicImports = Object.values(server.metafile.outputs)
  .flatMap((output) => output.imports)
  .filter((entry) => entry.kind === 'dynamic-import' && entry.external).length;
if (rewritten !== dynamicImports) {
  throw new Error(
    `dist/main.cjs: ${rewritten} texts read as import( but esbuild left ${dynamicImports} dynamic imports: a string would be rewritten`,
  );
}
await writeFile(mainFile, serverCode);

// 1a. The vendor bundles, as CommonJS (each one file, for the code cache). Everything but Node's
//     own modules is inside, so what they import() is a built-in: esbuild makes those require()s
//     (a script restored from a cache has no import() on Node 20; see above).
for (const [name, file] of Object.entries(vendorFiles)) {
  const outfile = path.join(cwd, 'dist', file);
  await build({
    ...cjs,
    supported: { 'dynamic-import': false },
    stdin: virtual(`export * from '${name}';\nexport { default } from '${name}';\n`),
    outfile,
    sourcemap,
  });
}

// 1b. The library entry: the definition only, with the kit, the SDK and zod left to the importer
//     (peer dependencies), so a gateway hosting several connectors runs one copy of each. A vendor
//     library is imported from its bundle (CommonJS; its named exports are what the server uses).
await build({
  ...common,
  entryPoints: { connector: 'src/connector.ts' },
  plugins: [
    {
      name: 'vendor-bundles',
      setup(b) {
        for (const [name, file] of Object.entries(vendorFiles)) {
          const exact = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
          b.onResolve({ filter: exact }, () => ({ path: `./${file}`, external: true }));
        }
      },
    },
  ],
  outdir: 'dist',
  external: [
    ...external,
    '@patchbay/kit',
    '@patchbay/kit/*',
    '@modelcontextprotocol/sdk',
    '@modelcontextprotocol/sdk/*',
    'zod',
    'zod/*',
  ],
  // The common banner stays: a client library bundled in (a devDependency, as pg is in postgres)
  // may be CommonJS that require()s Node's modules, and an ES module has no require of its own.
  sourcemap,
});

// 2. The manifest, made by the live definitions in one throwaway bundle (one zod instance, so
//    every description the tools registered is seen).
const builderFile = path.join(cwd, 'dist/.manifest-builder.mjs');
await build({
  ...common,
  stdin: virtual(
    [
      "import { buildManifest } from '@patchbay/kit/manifest';",
      `import { ${exportName} as def } from './src/connector.ts';`,
      "import * as config from './src/config.ts';",
      'process.stdout.write(JSON.stringify(await buildManifest(def, config)));',
    ].join('\n'),
  ),
  outfile: builderFile,
  external: [...external, ...vendorExternal],
});
const manifest = execFileSync(process.execPath, [builderFile], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
await rm(builderFile);
await writeFile(path.join(cwd, 'dist/manifest.json'), manifest);

// 3. The front: zod-free, the manifest inlined but for the tools/list entries, which go to
//    dist/tool-entries.jsonl (one serialized entry per line): read when tools/list is asked and
//    joined as they are. Inlined, ~60 KB of schemas would cost every start ~2 ms to scan.
const frontManifest = JSON.parse(manifest);
await writeFile(
  path.join(cwd, 'dist/tool-entries.jsonl'),
  frontManifest.tools.map((tool) => JSON.stringify(tool.entry)).join('\n'),
);
frontManifest.tools = frontManifest.tools.map(({ entry, ...tool }) => tool);
// The front's first part answers initialize before anything else is compiled; its second
// (front-lists.cjs: the option code, the rest of the manifest) is loaded right after.
const { protocolVersions, serverInfo, capabilities, instructions, fullBin } = frontManifest;
// V8 flags the connector declares (its definition's v8Flags), set before the server is compiled:
// a flag set later would make V8 refuse the code cache made after it.
const { v8Flags } = frontManifest;
const hello = { protocolVersions, serverInfo, capabilities, ...(instructions ? { instructions } : {}), fullBin };
const frontCommon = {
  ...cjs,
  external: [...external, './main.cjs', './front-lists.cjs', './load.cjs'],
  metafile: true,
};
const frontLists = await build({
  ...frontCommon,
  stdin: virtual(
    [
      "import { frontLists } from '@patchbay/kit/front-lists';",
      "import * as config from './src/config.ts';",
      `const manifest = ${JSON.stringify(frontManifest)};`,
      'export const lists = frontLists({ manifest, config });',
    ].join('\n'),
  ),
  outfile: 'dist/front-lists.cjs',
});
// What a start needs to answer tools/list with the tools an earlier start chose for the same
// options (the kit's front/remembered.ts): this build's identity, and the variables the options read.
const recall = {
  build: createHash('sha256')
    .update(await readFile(path.join(cwd, 'dist/front-lists.cjs')))
    .update(await readFile(path.join(cwd, 'dist/tool-entries.jsonl')))
    .digest('hex')
    .slice(0, 16),
  tools: frontManifest.tools.length,
  variables: createRequire(import.meta.url)(path.join(cwd, 'dist/front-lists.cjs')).lists.variables,
};
// The bin's first file is the front itself: every file a start requires costs it about a
// millisecond, and this one is what every start runs. Commands besides serving (3b) dispatch first.
const commands = await bundleCommands();
const front = await build({
  ...frontCommon,
  external: [...frontCommon.external, './commands.js'],
  // Nothing in the first part needs the file's URL.
  define: common.define,
  banner: { js: '#!/usr/bin/env node' },
  stdin: virtual(
    [
      "import { runFront } from '@patchbay/kit/front';",
      `const hello = ${JSON.stringify(hello)};`,
      '// The full server, through the code cache (load.cjs, required only then).',
      `const server = () => (compileCache(), require('./load.cjs')).requireCached(require('node:path').join(__dirname, 'main.cjs'), { name: hello.serverInfo.name, v8Flags: ${JSON.stringify(v8Flags)}${vendor.length ? `, vendor: ${JSON.stringify(vendorFiles)}` : ''} });`,
      "const entries = () => require('node:fs').readFileSync(require('node:path').join(__dirname, 'tool-entries.jsonl'), 'utf8').split('\\n');",
      `const recall = ${JSON.stringify(recall)};`,
      // Node >= 22.1's compile cache is turned on after the first answer, for what loads next (it
      // costs a start half a millisecond to turn on and would save nothing before it); Node 20 skips it.
      "const compileCache = () => require('node:module').enableCompileCache?.();",
      "const lists = () => { compileCache(); return require('./front-lists.cjs').lists; };",
      'const front = () => runFront({ hello, lists, start: async (io) => server().start(io), entries, recall });',
      commands.length
        ? `const command = process.argv[2];\nif (${JSON.stringify(commands)}.includes(command)) (compileCache(), import('./commands.js')).then((m) => m.runCommand(command, process.argv.slice(3))).then((code) => { process.exitCode = code; });\nelse front();`
        : 'front();',
    ].join('\n'),
  ),
  outfile: 'dist/index.cjs',
});
await chmod(path.join(cwd, 'dist/index.cjs'), 0o755);
// The code cache's loader: a file of its own, so that its modules (crypto, vm) load only at hand-over.
await build({
  ...frontCommon,
  define: common.define,
  banner: { js: '' },
  stdin: virtual("export { requireCached } from '@patchbay/kit/code-cache';"),
  outfile: 'dist/load.cjs',
});
// What ends up in the output (the metafile's inputs also list modules tree-shaking dropped).
const frontInputs = [front, frontLists]
  .flatMap((result) => Object.values(result.metafile.outputs))
  .flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, used]) => used.bytesInOutput > 0)
      .map(([input]) => input),
  );
const heavy = frontInputs.filter((input) => /node_modules\/.*(zod|@modelcontextprotocol)\//.test(input));
if (heavy.length) throw new Error(`the front must not bundle zod or the SDK, but it pulls in ${heavy.slice(0, 3).join(', ')}`);

// 3b. Commands besides serving (`patchbay-gdrive auth`), when the connector has them:
//     src/commands.ts exports `COMMANDS` (a literal list of names) and `runCommand(name, argv)`.
//     The bin dispatches on its first argument before the front starts.
async function bundleCommands() {
  if (!existsSync(path.join(cwd, 'src/commands.ts'))) return [];
  const source = await readFile(path.join(cwd, 'src/commands.ts'), 'utf8');
  const list = /export const COMMANDS = \[([^\]]*)\]/.exec(source)?.[1];
  if (!list) throw new Error("src/commands.ts must `export const COMMANDS = ['name', …] as const`");
  await build({ ...common, entryPoints: { commands: 'src/commands.ts' }, outdir: 'dist', external, sourcemap });
  return [...list.matchAll(/'([a-z][a-z-]*)'/g)].map((m) => m[1]);
}

const size = (result) => Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(
  `${pkg.name}: server ${(size(server) / 1024).toFixed(0)} KiB (${Object.keys(server.metafile.inputs).length} modules), ` +
    `front ${(size(front) / 1024).toFixed(1)} + ${(size(frontLists) / 1024).toFixed(0)} KiB, manifest ${(manifest.length / 1024).toFixed(0)} KiB`,
);
