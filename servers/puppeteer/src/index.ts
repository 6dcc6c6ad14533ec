#!/usr/bin/env node
import { runConnector } from '@patchbay/kit';
import { puppeteerConnector } from './connector.js';

await runConnector(puppeteerConnector);
