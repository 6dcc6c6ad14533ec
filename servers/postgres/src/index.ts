#!/usr/bin/env node
import { runConnector } from '@patchbay/kit';
import { postgresConnector } from './connector.js';

await runConnector(postgresConnector);
