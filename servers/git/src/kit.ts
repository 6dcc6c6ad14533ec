import { connector, type OptionValues } from '@patchbay/kit';
import type { GitServices } from './client.js';
import type { GitOptions } from './config.js';

/** The connector's declarations, bound to its services and options once. */
export const { tool, resource, template, prompt } = connector<GitServices, OptionValues<GitOptions>>();
