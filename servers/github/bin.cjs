#!/usr/bin/env node
// patchbay-github. Committed (the build makes dist/) so that pnpm can link the bin on a fresh install,
// before anything is built: pnpm 10 warns for every workspace bin whose file does not exist yet.
// CommonJS: a bare process starts faster without Node's ES module loader (the server it loads
// later is an ES module, imported when the first tool call needs it).
require('./dist/index.cjs');
