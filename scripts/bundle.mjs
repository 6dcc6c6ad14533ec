#!/usr/bin/env node
// Bundle a connector into dist/: one tree-shaken file per entry so the bin starts fast (no
// module resolution across hundreds of files). The kit, the MCP SDK and zod are bundled; the
// service's client libraries (the package's `dependencies`) stay external and are imported on
// first use, so they cost nothing at startup.
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const cwd = process.cwd();
const pkg = JSON.parse(await readFile(path.join(cwd, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {}).flatMap((name) => [name, `${name}/*`]);

await rm(path.join(cwd, 'dist'), { recursive: true, force: true });
const result = await build({
  absWorkingDir: cwd,
  entryPoints: { main: 'src/index.ts', connector: 'src/connector.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  treeShaking: true,
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'linked',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.PATCHBAY_VERSION': JSON.stringify(pkg.version) },
  // Some bundled CommonJS (ajv, inside the SDK) calls require(); give ESM output one.
  banner: {
    js: "import { createRequire as __patchbayRequire } from 'node:module'; const require = __patchbayRequire(import.meta.url);",
  },
});
// The bin is a two-line loader: on Node >= 22.1 it turns on V8's compile cache before the bundle
// is parsed (about a quarter off the import time from the second start on); Node 20 skips it.
await writeFile(
  path.join(cwd, 'dist/index.js'),
  "#!/usr/bin/env node\nimport module from 'node:module';\nmodule.enableCompileCache?.();\nawait import('./main.js');\n",
);
await chmod(path.join(cwd, 'dist/index.js'), 0o755);
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(
  `${pkg.name}: bundled ${Object.keys(result.metafile.inputs).length} modules into dist (${(bytes / 1024).toFixed(0)} KiB)`,
);
