#!/usr/bin/env node
import { runConnector } from '@patchbay/kit';
import { gitConnector } from './connector.js';

await runConnector(gitConnector);
