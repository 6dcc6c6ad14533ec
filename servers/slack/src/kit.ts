import { connector } from '@patchbay/kit';
import type { SlackServices } from './client.js';
import type { SlackOptionValues } from './config.js';

export const { tool, resource, template, prompt } = connector<SlackServices, SlackOptionValues>();
