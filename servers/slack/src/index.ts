#!/usr/bin/env node
import { runConnector } from '@patchbay/kit';
import { slackConnector } from './connector.js';

await runConnector(slackConnector);
