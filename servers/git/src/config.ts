import { statSync } from 'node:fs';
import { type OptionValues, option } from '@patchbay/kit';

/** Every option of the Git connector; the kit adds the common ones (--read-only, --http, …). */
export const gitOptions = {
  repository: option.list({
    flag: 'repository',
    env: ['GIT_REPOSITORIES', 'PATCHBAY_GIT_REPOSITORIES'],
    placeholder: 'path',
    positional: true,
    description: 'A repository (or a folder of repositories) the tools may use; repeatable. Client roots are added to these',
  }),
  cloneRoot: option.string({
    env: ['PATCHBAY_GIT_CLONE_ROOT'],
    placeholder: 'path',
    description:
      'Folder git_clone clones into (it must exist); repositories in it are allowed too. Without it git_clone is not offered',
  }),
  initRoot: option.string({
    env: ['PATCHBAY_GIT_INIT_ROOT'],
    placeholder: 'path',
    description:
      'Folder git_init may create repositories in (it must exist; the clone root is allowed too); repositories in it are allowed',
  }),
  allowRewritePushed: option.boolean({
    env: ['PATCHBAY_GIT_ALLOW_REWRITE_PUSHED'],
    description: 'Let git_rebase rewrite commits that are already on a remote (publishing them then needs a force-push)',
  }),
  allowForcePush: option.boolean({
    env: ['PATCHBAY_GIT_ALLOW_FORCE_PUSH'],
    description: 'Let git_push force-push (with --force-with-lease); refused otherwise',
  }),
  blockPrivateNetworks: option.boolean({
    env: ['PATCHBAY_GIT_BLOCK_PRIVATE_NETWORKS'],
    description:
      'Also refuse clones (and fetch, pull and push of cloned repositories) from private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). This machine, link-local and cloud metadata addresses are always refused',
  }),
  timeout: option.number({
    env: ['PATCHBAY_GIT_TIMEOUT_MS'],
    placeholder: 'ms',
    default: 60_000,
    description: 'Longest a single git command may run',
    validate: (n) => (n >= 1_000 ? undefined : 'must be at least 1000 ms'),
  }),
};

export type GitOptions = typeof gitOptions;

// What the bin's zod-free front needs besides the options (see scripts/bundle.mjs): the same
// check and switches the connector definition uses.
export { gitOptions as options };

/** Folders that must exist, checked before the server starts. */
export function check(options: OptionValues<GitOptions>): string[] {
  const problems: string[] = [];
  const isFolder = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  for (const repository of options.repository) {
    if (!isFolder(repository)) problems.push(`--repository: "${repository}" is not a folder that exists.`);
  }
  if (options.cloneRoot !== undefined && !isFolder(options.cloneRoot)) {
    problems.push(`--clone-root: "${options.cloneRoot}" is not a folder that exists (create it first).`);
  }
  if (options.initRoot !== undefined && !isFolder(options.initRoot)) {
    problems.push(`--init-root: "${options.initRoot}" is not a folder that exists (create it first).`);
  }
  return problems;
}

/**
 * Said on stderr at start: without a repository named, the tools work only with the folders a
 * client shares as MCP roots, and many clients share none.
 */
export function notices(options: OptionValues<GitOptions>): string[] {
  if (options.repository.length > 0 || options.cloneRoot !== undefined || options.initRoot !== undefined) return [];
  return [
    'no repository configured: the tools will use the folders the client shares as MCP roots, if it shares any. To name one, start with --repository <path> (or set GIT_REPOSITORIES).',
  ];
}

/** Tools offered only when an option is set, decided from the options alone. */
export const switches = {
  // Offered only when the operator named a folder to clone into.
  git_clone: (options: OptionValues<GitOptions>) => Boolean(options.cloneRoot),
  // Offered only when the operator named a folder new repositories may be made in.
  git_init: (options: OptionValues<GitOptions>) => Boolean(options.initRoot || options.cloneRoot),
};

/** The folders git_init may create repositories in: the init root, then the clone root. */
export function initRoots(options: OptionValues<GitOptions>): string[] {
  return [options.initRoot, options.cloneRoot].filter((r): r is string => Boolean(r));
}
