#!/usr/bin/env node
// patchbay-gdrive. Committed (the build makes dist/) so that pnpm can link the bin on a fresh install,
// before anything is built: pnpm 10 warns for every workspace bin whose file does not exist yet.
import './dist/index.js';
