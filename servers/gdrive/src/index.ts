#!/usr/bin/env node
import { runConnector } from '@patchbay/kit';
import { COMMANDS } from './commands.js';
import { gdriveConnector } from './connector.js';

// The bundled bin (scripts/bundle.mjs) dispatches the same way before its fast front starts.
const command = process.argv[2];
if (command && (COMMANDS as readonly string[]).includes(command)) {
  const { runCommand } = await import('./commands.js');
  process.exitCode = await runCommand(command, process.argv.slice(3));
} else {
  await runConnector(gdriveConnector);
}
