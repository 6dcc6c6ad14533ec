import { defineConnector } from '@patchbay/kit';
import { createGitServices } from './client.js';
import { check, gitOptions, notices } from './config.js';
import { mapGitError } from './errors.js';
import { loadSimpleGit } from './exec.js';
import { commitMessagePrompt, reviewPrompt } from './prompts.js';
import { fileResource } from './resources/file.js';
import { blameTool } from './tools/blame.js';
import { checkoutTool, createBranchTool } from './tools/branch.js';
import { cleanTool } from './tools/clean.js';
import { cloneTool } from './tools/clone.js';
import { addTool, commitTool } from './tools/commit.js';
import { diffTool } from './tools/diff.js';
import { filesTool } from './tools/files.js';
import { grepTool } from './tools/grep.js';
import { cherryPickTool, mergeTool, rebaseTool, revertTool } from './tools/history.js';
import { initTool } from './tools/init.js';
import { logTool } from './tools/log.js';
import { reflogTool } from './tools/reflog.js';
import { branchesTool, tagsTool } from './tools/refs.js';
import { fetchTool, pullTool, pushTool, remotesTool } from './tools/remote.js';
import { resetHardTool, resetTool } from './tools/reset.js';
import { showTool } from './tools/show.js';
import { dropStashTool, stashTool } from './tools/stash.js';
import { statusTool } from './tools/status.js';
import { createTagTool } from './tools/tag.js';
import { addWorktreeTool, removeWorktreeTool, worktreesTool } from './tools/worktrees.js';

export const VERSION = process.env.PATCHBAY_VERSION ?? '0.0.0-dev';

const tools = [
  statusTool,
  logTool,
  diffTool,
  showTool,
  blameTool,
  branchesTool,
  tagsTool,
  grepTool,
  filesTool,
  addTool,
  commitTool,
  createBranchTool,
  checkoutTool,
  stashTool,
  createTagTool,
  resetTool,
  resetHardTool,
  initTool,
  mergeTool,
  rebaseTool,
  cherryPickTool,
  revertTool,
  reflogTool,
  worktreesTool,
  addWorktreeTool,
  removeWorktreeTool,
  cleanTool,
  dropStashTool,
  remotesTool,
  fetchTool,
  pullTool,
  pushTool,
  cloneTool,
];
/** Tools that change something: a git failure there is reported in git's words (see errors.ts). */
const WRITES = new Set(tools.filter((t) => t.access !== 'read').map((t) => t.name));

export const gitConnector = defineConnector({
  name: 'git',
  title: 'Git',
  version: VERSION,
  description: 'MCP server for Git repositories, confined to the repositories you allow',
  usage: 'patchbay-git [--repository <path>]... [options]',
  instructions:
    'Tools for local git repositories. Every tool takes `repository` (a path inside an allowed repository; ' +
    'optional when only one is allowed). Start with git_status; use git_log for history, git_diff for changes, ' +
    'git_show for one commit or a file at a revision, git_grep and git_files to find things. ' +
    'To commit: git_add, then git_commit. Large results are cut to an output budget and say how to get the rest (a cursor or a start line).',
  helpFooter:
    'Examples:\n  patchbay-git --repository ~/code/project --read-only\n  patchbay-git --repository ~/code/project --toolsets default,remote --clone-root ~/code\n  patchbay-git --repository ~/code/project --toolsets default,history,workspace',
  options: gitOptions,
  toolsets: {
    repository: {
      title: 'Read the repository',
      description: 'status, diffs, history, show, blame, branches, tags, search, files',
      default: true,
    },
    write: {
      title: 'Change the repository',
      description: 'stage, commit, branch, switch, stash, tag, reset; init with an init root (hidden by --read-only)',
      default: true,
    },
    history: {
      title: 'Combine and rewrite history',
      description: 'merge, rebase, cherry-pick, revert, reflog (opt-in)',
      default: false,
    },
    workspace: {
      title: 'Worktrees and clean-up',
      description: 'list, add and remove worktrees; delete untracked files; drop a stash (opt-in)',
      default: false,
    },
    remote: {
      title: 'Talk to remotes',
      description: 'remotes, fetch, pull, push, clone (network access; opt-in)',
      default: false,
    },
  },
  tools,
  resources: [fileResource],
  prompts: [commitMessagePrompt, reviewPrompt],
  check,
  notices,
  createServices: ({ options, log }) => createGitServices(options, log),
  // Every git failure of every tool, resource and prompt is explained here, once.
  mapError: (error, { tool, args }) => mapGitError(error, { tool, args, writes: WRITES.has(tool) }),
  // simple-git (used by git_status) loads in the background once the client is
  // connected, so the first of those calls does not pay for it; nothing touches a repository
  // before a call.
  warmUp: async () => {
    await loadSimpleGit();
  },
});
