import { defineConnector } from '@patchbay/kit';
import { createGitServices } from './client.js';
import { gitOptions } from './config.js';
import { blameTool } from './tools/blame.js';
import { diffTool } from './tools/diff.js';
import { filesTool } from './tools/files.js';
import { grepTool } from './tools/grep.js';
import { logTool } from './tools/log.js';
import { branchesTool, tagsTool } from './tools/refs.js';
import { showTool } from './tools/show.js';
import { statusTool } from './tools/status.js';

export const VERSION = process.env.PATCHBAY_VERSION ?? '0.0.0-dev';

export const gitConnector = defineConnector({
  name: 'git',
  title: 'Git',
  version: VERSION,
  description: 'MCP server for Git repositories, confined to the repositories you allow',
  usage: 'patchbay-git [--repository <path>]... [options]',
  instructions:
    'Tools for local git repositories. Every tool takes `repository` (a path inside an allowed repository; ' +
    'optional when only one is allowed). Start with git_status; use git_log for history, git_diff for changes, ' +
    'git_show for one commit or a file at a revision. Large results are cut to an output budget and say how to get the rest.',
  helpFooter: 'Example: patchbay-git --repository ~/code/project --read-only',
  options: gitOptions,
  toolsets: {
    repository: { title: 'Read the repository', description: 'status, diffs, history, blame, branches, tags, search', default: true },
  },
  tools: [statusTool, logTool, diffTool, showTool, blameTool, branchesTool, tagsTool, grepTool, filesTool],
  createServices: ({ options, log }) => createGitServices(options, log),
});
