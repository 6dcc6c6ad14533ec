import { connector } from '@patchbay/kit';
import type { PostgresServices } from './client.js';
import type { PostgresOptions } from './config.js';

/** The declarations of this connector, bound to its services and options once. */
export const { tool, resource, template, prompt } = connector<PostgresServices, PostgresOptions>();
