import { connector, type OptionValues } from '@patchbay/kit';
import type { GdriveServices } from './client.js';
import type { GdriveOptions } from './config.js';

export const { tool, resource, template, prompt } = connector<GdriveServices, OptionValues<GdriveOptions>>();
