#!/usr/bin/env node
import { runConnector } from '@patchbay/kit';
import { githubConnector } from './connector.js';

await runConnector(githubConnector);
