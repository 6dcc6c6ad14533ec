import { connector, type OptionValues } from '@patchbay/kit';
import type { GitHubServices } from './client.js';
import type { GitHubOptions } from './config.js';

export const { tool, resource, template, prompt } = connector<GitHubServices, OptionValues<GitHubOptions>>();
