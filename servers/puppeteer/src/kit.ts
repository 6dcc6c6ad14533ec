import { connector, type OptionValues, type ToolContext } from '@patchbay/kit';
import type { BrowserServices } from './client.js';
import type { BrowserOptions } from './config.js';

/** The connector's declarations, bound to its services and options once. */
export const { tool, resource, template, prompt } = connector<BrowserServices, OptionValues<BrowserOptions>>();

/** What a handler gets, for the helpers handlers share (locating an element, describing a tab). */
export type Ctx = ToolContext<BrowserServices>;
